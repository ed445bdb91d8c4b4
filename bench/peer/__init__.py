"""The peer: a webhook written the way wechatpy's users usually write one (see README)."""
