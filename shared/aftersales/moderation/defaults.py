"""What every tenant starts with: the LDNOOBW lists (lexicons/, CC-BY-4.0, see ATTRIBUTION.md)
and this platform's own corrections to them for product reviews.

* ANYWHERE_CHARACTERS: single characters of the zh list with no ordinary meaning, matched even
  inside a word; every other single character (奶, 性, 乳, 幹 -> 干, 爛 -> 烂 ...) only when it stands
  alone, so 牛奶, 性价比, 乳液, 干净 and 质量很烂 pass.
* DEFAULT_ALLOW: phrases in which a listed entry is an ordinary word of a product review (靠背 of a
  chair, 刚度 of a frame, 成人 sizes, 我妈妈的 ...), and list entries that are opinions or product
  words rather than abuse ("sucks" is a negative opinion; "nude" a colour; "xx" a size).
* EVASIONS: spellings that stand for a listed term (homophones, pinyin, initials); a match reports
  the term it stands for.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

SOURCES = {"en": "ldnoobw_en.json", "zh": "ldnoobw_zh.json"}

ANYWHERE_CHARACTERS = frozenset("屄肏𨳒㞗𨳊𡳞𨶙𨳍閪")

DEFAULT_ALLOW: tuple[str, ...] = (
    # zh: product words around single characters and short entries
    "牛奶", "奶粉", "奶瓶", "奶嘴", "奶茶", "奶油", "酸奶", "奶酪", "奶香", "乳液", "乳胶", "乳霜", "豆乳", "乳酸",
    "性价比", "性能", "耐用性", "透气性", "弹性", "柔韧性", "稳定性", "女性", "男性", "中性",
    "靠背", "刚度", "成人", "处女座", "屁股", "激情", "月经", "私服", "老二", "祖宗",
    "妈妈的", "老母鸡", "逼真", "干净", "烂货", "狗屁不通",
    # en: opinions, colours, sizes and garments that the list also holds
    "suck", "sucks", "butt", "nude", "xx", "panty", "panties", "nipple", "nipples",
    "big black", "tight white", "tied up", "taste my", "girl on", "hot chick", "huge fat", "escort",
    "vibrator", "domination", "undressing", "swinger", "twinkie", "playboy", "erotic", "sexy",
)

EVASIONS: dict[str, str] = {
    "草泥马": "操你妈", "草你妈": "操你妈", "艹你妈": "操你妈", "cnm": "操你妈", "caonima": "操你妈",
    "尼玛的": "你妈的", "泥马的": "你妈的", "特么的": "他妈的", "他喵的": "他妈的", "tmd": "他妈的",
    "煞笔": "傻逼", "沙比": "傻逼", "傻叉": "傻逼", "傻b": "傻逼", "shabi": "傻逼", "sb": "傻逼",
    "妈卖批": "妈卖逼", "nmsl": "你妈死了", "mlgb": "妈了个逼", "nmb": "你妈逼", "fck": "fuck", "fuk": "fuck",
    "phuck": "fuck", "sh1t": "shit", "b1tch": "bitch", "biatch": "bitch",
}
LOW_EVASIONS = frozenset({"sb", "nmb", "cnm", "tmd"})  # two or three letters: also abbreviations


@cache
def listed_terms(language: str) -> tuple[str, ...]:
    """A shipped list in its file order (duplicates removed)."""
    raw = resources.files("aftersales.moderation").joinpath("lexicons").joinpath(SOURCES[language]).read_text("utf-8")
    return tuple(dict.fromkeys(json.loads(raw)))
