"""A realistic, reproducible rule set and the messages that exercise it.

`rules(n)` are the first n rules of one fixed sequence (so 10 of them are also in the
1,000 and the 10,000): a few keyword-less type rules, a lowest-priority default rule
(optional), then keyword rules cycling through exact, contains and regex (10%), half
of them Chinese. Texts built by `texts()` hit exact, contains and regex keywords of
those rules, or miss them all. With `with_times`, a quarter of the keyword rules answer
only at some hours (office hours, nights past midnight, weekends and evenings) and a
tenth only between two dates (half of those ended already).
"""

import random

SEED = 20240501
CN = ("价格", "订单", "快递", "退款", "会员", "优惠", "门店", "营业", "发票", "积分", "预约",
      "活动", "地址", "电话", "客服", "售后", "配送", "支付", "密码", "登录", "课程", "报名",
      "门票", "停车", "早餐", "房间", "维修", "保修", "充电", "套餐")  # fmt: skip
EN = ("price", "order", "parcel", "refund", "member", "coupon", "store", "hours", "invoice",
      "points", "booking", "event", "address", "phone", "support", "repair", "delivery",
      "payment", "password", "login", "course", "ticket", "parking", "room", "plan")  # fmt: skip
# Keyword rules cycle through these modes: 10% regex, the rest exact and contains.
MODES = ("exact", "contains", "exact", "contains", "regex",
         "exact", "contains", "exact", "contains", "exact")  # fmt: skip
SPECIAL = 4  # the type rules and the default rule at the start of every rule set
SCHEDULES = (
    [{"days": "mon-fri", "from": "09:00", "to": "18:00"}],
    [{"days": "mon-sun", "from": "22:00", "to": "02:00"}],
    [
        {"days": "sat,sun", "from": "00:00", "to": "24:00"},
        {"days": "mon-fri", "from": "18:00", "to": "09:00"},
    ],
)


def keyword(i: int) -> dict[str, str]:
    """The keyword of the i-th keyword rule: unique (it ends in i), half of them Chinese."""
    rng = random.Random(SEED + i)
    mode = MODES[i % len(MODES)]
    if rng.random() < 0.5:
        tag = f"{rng.choice(CN)}{rng.choice(CN)}{i}"
    else:
        tag = f"{rng.choice(EN)} {rng.choice(EN)} {i}"
    if mode == "regex":
        return {"mode": "regex", "pattern": rf"^{tag}\s*#\s*(\d{{4,10}})$"}
    return {"mode": mode, "pattern": tag}


def keyword_rule(i: int) -> dict[str, object]:
    kw = keyword(i)
    content = f"关于 {kw['pattern']} 的说明见菜单。"
    if kw["mode"] == "regex":
        content = "编号 {{ match.1 }} 已收到，我们会尽快处理。"
    return {
        "name": f"kw-{i:05d}",
        "priority": random.Random(SEED - i).randint(0, 100),
        "msg_type": "text" if i % 3 else "any",
        "keywords": [kw],
        "replies": [{"type": "text", "content": content}],
    }


TOPICS = 5  # conversations the rules with_times use: topic0 .. topic4


def time_limits(i: int) -> dict[str, object]:
    """The i-th keyword rule's hours and dates, and its conversation, when it has any:
    one in 7 answers only in a conversation, one in 11 starts one."""
    limits: dict[str, object] = {}
    if i % 7 == 2:
        limits["requires_context"] = f"topic{i % TOPICS}"
    elif i % 11 == 5:
        limits["sets_context"] = {"name": f"topic{i % TOPICS}", "seconds": 300}
    if i % 4 == 1:
        limits["schedule"] = SCHEDULES[i // 4 % len(SCHEDULES)]
    if i % 10 == 3:
        limits["active_from"] = "2023-01-01T00:00:00+08:00"
        limits["active_until"] = (
            "2030-01-01T00:00:00+08:00" if i % 20 == 3 else "2023-06-01T00:00:00+08:00"
        )
    return limits


def special_rules(with_default: bool) -> list[dict[str, object]]:
    def reply(text: str) -> list[dict[str, str]]:
        return [{"type": "text", "content": text}]

    rules = [
        {"name": "type-image", "msg_type": "image", "replies": reply("图片已收到。")},
        {"name": "type-location", "msg_type": "location", "replies": reply("位置已收到。")},
        {"name": "event-subscribe", "msg_type": "event", "event": "subscribe",
         "replies": reply("欢迎关注！回复 help 查看菜单。")},
    ]  # fmt: skip
    if with_default:
        rules.append({"name": "zz-default", "priority": -1000, "msg_type": "any",
                      "replies": reply("收到，客服稍后回复您。")})  # fmt: skip
    return rules


def rules(
    n: int, *, with_default: bool = True, with_times: bool = False
) -> list[dict[str, object]]:
    """n rules in the rules-file format (see DESIGN.md), the same first ones for every n."""
    special = special_rules(with_default)
    keyword_rules = [keyword_rule(i) for i in range(n - len(special))]
    if with_times:
        keyword_rules = [{**rule, **time_limits(i)} for i, rule in enumerate(keyword_rules)]
    return special + keyword_rules


def text_for(i: int, variant: int) -> str:
    """A text that hits keyword rule i the way its mode is hit."""
    kw = keyword(i)
    if kw["mode"] == "exact":
        return kw["pattern"].upper() if variant % 2 else f" {kw['pattern']} "
    if kw["mode"] == "contains":
        return f"请问{kw['pattern']}怎么办？" if variant % 2 else f"hi, about {kw['pattern']}?"
    tag = kw["pattern"][1:].split(r"\s*", 1)[0]
    return f"{tag} # {100000 + variant * 7919 % 900000}"


def miss(variant: int) -> str:
    rng = random.Random(SEED * 7 + variant)
    return rng.choice(("你好", "在吗", "谢谢", "hello there", "人工服务", "ok")) + "!" * (
        variant % 3
    )


def texts(keyword_rules: int, count: int, *, misses: float = 0.3) -> list[str]:
    """`count` texts: about `misses` of them miss, the others hit rules spread over all."""
    rng = random.Random(SEED * 3)
    out = []
    for variant in range(count):
        if rng.random() < misses:
            out.append(miss(variant))
        else:
            out.append(text_for(rng.randrange(keyword_rules), variant))
    return out
