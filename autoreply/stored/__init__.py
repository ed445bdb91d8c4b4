"""The models, one module per thing stored; `autoreply.models` is where Django (and
everything else) finds them."""
