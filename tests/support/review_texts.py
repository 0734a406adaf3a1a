"""Ordinary product review sentences written for the moderation tests (no third-party text): words
that contain an entry of the LDNOOBW lists, and plainly negative reviews. None of them is abuse."""

from __future__ import annotations

ORDINARY_ZH = (
    "这个奶粉很好，宝宝喝了不上火，奶瓶和奶嘴也很好用",
    "性价比很高，性能稳定，弹性也不错",
    "乳液很滋润，乳胶枕头很软",
    "椅子靠背很舒服，车架刚度也够",
    "成人尺码偏小，建议买大一号",
    "我妈妈的生日礼物，她妈妈也很喜欢",
    "他妈妈说颜色很正",
    "衣服洗了很干净，晾干以后没缩水",
    "画面很逼真，色彩鲜艳",
    "院子里铺的鹅卵石很漂亮",
    "卫生巾吸收好，月经期间用着放心",
    "我家老二特别喜欢这个玩具",
    "处女座的我也挑不出毛病",
    "婴儿屁股擦了不红，很温和",
    "男性女性都适合，中性款式",
    "价格壹佰柒拾元，物有所值",
    "這件衣服質量很好，穿著很舒服",
    "乾隆年间的款式，很有古风",
    "斑鸠图案很可爱",
)

NEGATIVE = (
    "质量很烂，太差了，垃圾产品",
    "这是我买过最烂的东西，爛透了",
    "客服态度恶劣，再也不买了，无良奸商",
    "用了两天就坏了，差评，退货",
    "和描述完全不符，狗屁不通的说明书",
    "This product sucks, it broke after two days.",
    "Terrible quality, a total waste of money. Do not buy.",
    "Worst purchase ever, the seller ignored my emails.",
    "The class of materials is cheap and the analysis on the box is false.",
    "Arrived scratched; the big black one is uglier than the photos.",
)

ORDINARY_EN = (
    "Great glass bottle, the passion fruit flavour is lovely.",
    "Bought the XX size, the nude colour matches my skin.",
    "Baby likes the bottle nipples, easy to clean.",
    "Scunthorpe delivery was quick, the cocktail shaker is solid.",
    "Rapeseed oil, cold pressed, tastes fresh.",
    "The usb cable is sturdy and the assembly took five minutes.",
)
