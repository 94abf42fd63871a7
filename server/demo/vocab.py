"""Words the demo catalog is built from: categories, product types, variant axes, fictional brands.

Pure data. The brands are invented (no real trademark appears in a demo shop), the product types are
what a Taobao/Tmall merchant in each category typically stocks, and the ranges (grams, millimetres,
cost in yuan, units received per bin) keep weights, volumes and margins believable.
"""

from __future__ import annotations

from dataclasses import dataclass

Option = tuple[str, str, str]
"""(Chinese, English, code fragment) of one variant value, e.g. ("黑色", "Black", "BK")."""


@dataclass(frozen=True, slots=True)
class Axis:
    """A variant dimension (colour, size …); a product takes ``pick`` consecutive-or-random values."""

    key: str
    options: tuple[Option, ...]
    pick: tuple[int, int]
    consecutive: bool = False
    """Sizes come in runs (S–XL), colours do not."""


@dataclass(frozen=True, slots=True)
class ProductType:
    zh: str
    en: str
    axes: tuple[str, ...]
    weight_g: tuple[int, int]
    dims_mm: tuple[int, int, int]
    cost_yuan: tuple[int, int]
    qty: tuple[int, int]
    """Units received into one bin (a carton or two)."""
    zone: str = "A"
    shelf_life_days: int | None = None
    unit: str = "件"
    for_adults: bool = True
    """Takes the category's audience word (男士/女士 …); children's goods do not."""


@dataclass(frozen=True, slots=True)
class Category:
    prefix: str
    zh: str
    en: str
    sku_quota: int
    types: tuple[ProductType, ...]
    descriptors: tuple[tuple[str, str], ...]
    brands: tuple[tuple[str, str], ...]
    case_share: float
    """Share of SKUs that also carry a case (carton) GTIN-14."""
    case_packs: tuple[int, ...]
    audiences: tuple[tuple[str, str], ...] = ()


# fmt: off
# The tables below read best one row per entry; the formatter would put every field on its own line.
COLORS: tuple[Option, ...] = (
    ("黑色", "Black", "BK"), ("白色", "White", "WH"), ("灰色", "Grey", "GY"), ("藏青", "Navy", "NV"),
    ("卡其", "Khaki", "KH"), ("杏色", "Apricot", "AP"), ("雾霾蓝", "Haze blue", "HB"), ("酒红", "Burgundy", "BG"),
    ("牛油果绿", "Avocado", "AV"), ("米白", "Off-white", "OW"), ("粉色", "Pink", "PK"), ("燕麦色", "Oatmeal", "OM"),
)

AXES: dict[str, Axis] = {
    "color": Axis("color", COLORS, (1, 3)),
    "size": Axis("size", (("S", "S", "S"), ("M", "M", "M"), ("L", "L", "L"), ("XL", "XL", "XL"),
                          ("XXL", "XXL", "XXL"), ("3XL", "3XL", "3XL")), (3, 5), consecutive=True),
    "waist": Axis("size", tuple((str(w), str(w), str(w)) for w in range(26, 35)), (4, 6), consecutive=True),
    "kids": Axis("size", tuple((f"{h}cm", f"{h} cm", str(h)) for h in range(90, 160, 10)), (3, 5),
                 consecutive=True),
    "shoe": Axis("size", tuple((str(s), f"EU {s}", str(s)) for s in range(35, 45)), (4, 6), consecutive=True),
    "shade": Axis("shade", (("#01 正红", "#01 True red", "01"), ("#02 豆沙", "#02 Rose nude", "02"),
                            ("#03 枫叶红", "#03 Maple", "03"), ("#04 奶茶", "#04 Milk tea", "04"),
                            ("#05 烂番茄", "#05 Brick", "05"), ("#06 蜜桃", "#06 Peach", "06")), (2, 4)),
    "volume": Axis("volume", (("30ml", "30 ml", "30"), ("50ml", "50 ml", "50"), ("100ml", "100 ml", "100"),
                              ("200ml", "200 ml", "200")), (1, 3), consecutive=True),
    "flavor": Axis("flavor", (("原味", "Original", "OR"), ("奶油味", "Cream", "CR"), ("盐焗", "Salt-baked", "SB"),
                              ("香辣", "Spicy", "SP"), ("蜂蜜黄油", "Honey butter", "HB"),
                              ("海苔", "Seaweed", "SW")), (1, 3)),
    "net": Axis("net", (("250g", "250 g", "250G"), ("500g", "500 g", "500G"), ("1kg", "1 kg", "1KG")), (1, 2),
                consecutive=True),
    "stage": Axis("stage", (("1段", "Stage 1", "S1"), ("2段", "Stage 2", "S2"), ("3段", "Stage 3", "S3")), (2, 3),
                  consecutive=True),
    "diaper": Axis("size", (("NB", "NB", "NB"), ("S", "S", "S"), ("M", "M", "M"), ("L", "L", "L"),
                            ("XL", "XL", "XL"), ("XXL", "XXL", "XXL")), (3, 5), consecutive=True),
    "bottle": Axis("capacity", (("160ml", "160 ml", "160"), ("240ml", "240 ml", "240"),
                                ("300ml", "300 ml", "300")), (1, 3), consecutive=True),
    "bed": Axis("size", (("1.2m床", "1.2 m bed", "120"), ("1.5m床", "1.5 m bed", "150"),
                         ("1.8m床", "1.8 m bed", "180"), ("2.0m床", "2.0 m bed", "200")), (2, 3), consecutive=True),
    "box": Axis("size", (("小号", "Small", "SM"), ("中号", "Medium", "MD"), ("大号", "Large", "LG"),
                         ("特大号", "Extra large", "XL")), (1, 3), consecutive=True),
    "capacity": Axis("capacity", (("10000mAh", "10,000 mAh", "10K"), ("20000mAh", "20,000 mAh", "20K"),
                                  ("30000mAh", "30,000 mAh", "30K")), (1, 2), consecutive=True),
    "cable": Axis("length", (("1米", "1 m", "1M"), ("1.5米", "1.5 m", "15M"), ("2米", "2 m", "2M")), (1, 3),
                  consecutive=True),
    "storage": Axis("storage", (("32GB", "32 GB", "32G"), ("64GB", "64 GB", "64G"), ("128GB", "128 GB", "128G"),
                                ("256GB", "256 GB", "256G")), (1, 3), consecutive=True),
    "count": Axis("count", (("60粒", "60 capsules", "60"), ("90粒", "90 capsules", "90"),
                            ("120粒", "120 capsules", "120")), (1, 2), consecutive=True),
    "pack": Axis("pack", (("单件装", "Single", "1P"), ("3件装", "Pack of 3", "3P"), ("5件装", "Pack of 5", "5P")),
                 (1, 2), consecutive=True),
}

T = ProductType

APPAREL = Category(
    prefix="FZ", zh="服饰", en="Apparel", sku_quota=780, case_share=0.05, case_packs=(12, 24),
    types=(
        T("T恤", "T-shirt", ("color", "size"), (150, 260), (300, 250, 20), (18, 45), (20, 80)),
        T("卫衣", "Hoodie", ("color", "size"), (450, 700), (350, 300, 50), (45, 95), (10, 40)),
        T("衬衫", "Shirt", ("color", "size"), (200, 320), (320, 260, 30), (35, 80), (10, 50)),
        T("牛仔裤", "Jeans", ("color", "waist"), (500, 750), (350, 300, 40), (55, 120), (10, 40)),
        T("休闲裤", "Chinos", ("color", "size"), (380, 560), (350, 280, 40), (40, 90), (10, 40)),
        T("连衣裙", "Dress", ("color", "size"), (250, 450), (350, 280, 40), (50, 130), (10, 40)),
        T("针织开衫", "Knit cardigan", ("color", "size"), (300, 480), (330, 280, 50), (48, 110), (10, 36)),
        T("羽绒服", "Down jacket", ("color", "size"), (700, 1200), (450, 350, 120), (160, 380), (5, 20), zone="B"),
        T("冲锋衣", "Shell jacket", ("color", "size"), (600, 900), (420, 330, 90), (120, 260), (6, 24)),
        T("半身裙", "Skirt", ("color", "size"), (200, 380), (330, 260, 30), (35, 85), (10, 40)),
        T("儿童套装", "Kids' outfit", ("color", "kids"), (250, 420), (300, 250, 40), (38, 78), (10, 40),
          for_adults=False),
        T("运动鞋", "Sneakers", ("color", "shoe"), (700, 1000), (330, 220, 120), (90, 210), (6, 24), unit="双"),
        T("袜子", "Socks", ("color", "pack"), (60, 250), (220, 120, 30), (6, 22), (30, 120), unit="双"),
    ),
    descriptors=(("纯棉", "Cotton"), ("宽松", "Loose-fit"), ("修身", "Slim-fit"), ("复古", "Vintage"),
                 ("简约", "Minimalist"), ("加绒", "Fleece-lined"), ("冰丝", "Ice-silk"), ("重磅", "Heavyweight"),
                 ("法式", "French-style"), ("国潮", "Guochao"), ("通勤", "Office"), ("户外", "Outdoor")),
    audiences=(("男士", "Men's"), ("女士", "Women's"), ("情侣款", "Couples'"), ("中性", "Unisex")),
    brands=(("森屿", "Senyu"), ("南柚", "Nanyou"), ("拾光", "Shiguang"), ("素野", "Suye"), ("北岸", "Bei'an"),
            ("棉言", "Mianyan"), ("野竹", "Yezhu"), ("初禾", "Chuhe")),
)

COSMETICS = Category(
    prefix="MZ", zh="美妆", en="Beauty", sku_quota=220, case_share=0.20, case_packs=(6, 12),
    types=(
        T("口红", "Lipstick", ("shade",), (30, 60), (85, 25, 25), (25, 75), (24, 120), zone="V",
          shelf_life_days=1095, unit="支"),
        T("保湿面霜", "Moisturising cream", ("volume",), (120, 320), (70, 70, 60), (45, 160), (12, 72), zone="V",
          shelf_life_days=1095, unit="瓶"),
        T("精华液", "Serum", ("volume",), (100, 260), (45, 45, 120), (60, 220), (12, 60), zone="V",
          shelf_life_days=1095, unit="瓶"),
        T("洁面乳", "Facial cleanser", ("volume",), (120, 260), (50, 40, 170), (18, 48), (24, 120),
          shelf_life_days=1095, unit="支"),
        T("防晒霜", "Sunscreen", ("volume",), (60, 140), (45, 30, 140), (30, 85), (24, 96), shelf_life_days=1095,
          unit="支"),
        T("面膜", "Sheet mask", ("pack",), (30, 260), (180, 120, 20), (12, 60), (30, 150), shelf_life_days=1095,
          unit="盒"),
        T("粉底液", "Liquid foundation", ("shade",), (60, 120), (45, 35, 110), (55, 150), (12, 60), zone="V",
          shelf_life_days=1095, unit="瓶"),
        T("卸妆水", "Micellar water", ("volume",), (150, 520), (70, 50, 190), (20, 55), (24, 96),
          shelf_life_days=1095, unit="瓶"),
    ),
    descriptors=(("补水", "Hydrating"), ("修护", "Repairing"), ("控油", "Oil-control"), ("亮肤", "Brightening"),
                 ("水润", "Dewy"), ("哑光", "Matte"), ("持妆", "Long-wear"), ("温和", "Gentle"), ("舒缓", "Soothing")),
    brands=(("花间集", "Huajianji"), ("青黛", "Qingdai"), ("水之源", "Shuizhiyuan"), ("玉肌", "Yuji"),
            ("芳泽", "Fangze"), ("浮光", "Fuguang")),
)

FOOD = Category(
    prefix="SP", zh="食品", en="Food", sku_quota=220, case_share=0.35, case_packs=(12, 24),
    types=(
        T("每日坚果", "Daily nut mix", ("flavor", "net"), (250, 1050), (200, 150, 80), (15, 68), (24, 200),
          shelf_life_days=270, unit="袋"),
        T("夏威夷果", "Macadamia nuts", ("flavor", "net"), (250, 1050), (200, 150, 80), (18, 75), (24, 200),
          shelf_life_days=270, unit="袋"),
        T("牛肉干", "Beef jerky", ("flavor",), (100, 260), (180, 120, 40), (20, 55), (30, 240),
          shelf_life_days=240, unit="袋"),
        T("螺蛳粉", "Luosifen rice noodles", ("flavor",), (300, 420), (200, 160, 60), (6, 14), (40, 240),
          shelf_life_days=180, unit="袋"),
        T("挂耳咖啡", "Drip coffee", ("flavor",), (100, 180), (160, 110, 80), (18, 45), (24, 150),
          shelf_life_days=365, unit="盒"),
        T("红茶", "Black tea", ("net",), (250, 1050), (180, 90, 90), (30, 150), (12, 96), shelf_life_days=730,
          unit="罐"),
        T("低温酸奶", "Chilled yoghurt", ("flavor",), (200, 1000), (120, 80, 110), (5, 18), (24, 120), zone="C",
          shelf_life_days=21, unit="盒"),
        T("速冻水饺", "Frozen dumplings", ("flavor",), (500, 1000), (260, 180, 60), (12, 30), (12, 80), zone="C",
          shelf_life_days=365, unit="袋"),
        T("鲜花饼", "Flower cakes", ("pack",), (300, 600), (220, 160, 60), (12, 32), (24, 150),
          shelf_life_days=120, unit="盒"),
        T("燕麦片", "Rolled oats", ("net",), (500, 1050), (220, 150, 70), (10, 35), (24, 150),
          shelf_life_days=365, unit="袋"),
    ),
    descriptors=(("手工", "Handmade"), ("低糖", "Low-sugar"), ("有机", "Organic"), ("原切", "Hand-cut"),
                 ("即食", "Ready-to-eat"), ("非油炸", "Non-fried"), ("零添加", "No-additive"), ("云南", "Yunnan"),
                 ("新疆", "Xinjiang"), ("古法", "Traditional")),
    brands=(("山野集", "Shanyeji"), ("粮仓记", "Liangcangji"), ("果小满", "Guoxiaoman"), ("南山里", "Nanshanli"),
            ("鲜谷坊", "Xiangufang"), ("一口鲜", "Yikouxian")),
)

BABY = Category(
    prefix="MY", zh="母婴", en="Baby", sku_quota=100, case_share=0.30, case_packs=(6, 12),
    types=(
        T("婴儿奶粉", "Infant formula", ("stage",), (800, 900), (130, 130, 180), (120, 260), (12, 48),
          shelf_life_days=720, unit="罐"),
        T("纸尿裤", "Nappies", ("diaper",), (1200, 2200), (380, 250, 180), (55, 110), (6, 30), zone="B",
          shelf_life_days=1095, unit="包"),
        T("婴儿湿巾", "Baby wipes", ("pack",), (300, 1500), (200, 120, 70), (8, 40), (24, 120),
          shelf_life_days=730, unit="包"),
        T("宝宝米粉", "Baby rice cereal", ("stage",), (250, 450), (160, 90, 200), (30, 68), (12, 72),
          shelf_life_days=540, unit="罐"),
        T("玻璃奶瓶", "Glass feeding bottle", ("bottle",), (150, 260), (80, 80, 180), (35, 90), (12, 60)),
        T("安抚玩具", "Comfort toy", ("color",), (100, 300), (200, 150, 100), (20, 60), (10, 50)),
        T("婴儿连体衣", "Baby romper", ("color", "kids"), (100, 200), (250, 200, 30), (25, 68), (10, 50)),
    ),
    descriptors=(("新生儿", "Newborn"), ("宝宝", "Baby"), ("防胀气", "Anti-colic"), ("有机", "Organic"),
                 ("超薄", "Ultra-thin"), ("柔软", "Soft-touch")),
    brands=(("小海豚", "Little Dolphin"), ("暖暖", "Nuannuan"), ("贝贝熊", "Beibei Bear"), ("初生", "Chusheng")),
)

HOME = Category(
    prefix="JJ", zh="家居", en="Home", sku_quota=380, case_share=0.18, case_packs=(6, 12),
    types=(
        T("床上四件套", "Duvet cover set", ("color", "bed"), (1800, 3200), (450, 350, 120), (120, 320), (4, 20),
          zone="B", unit="套"),
        T("收纳箱", "Storage box", ("color", "box"), (600, 2200), (500, 380, 300), (18, 60), (4, 20), zone="B"),
        T("纯棉毛巾", "Cotton towel", ("color", "pack"), (100, 500), (340, 200, 40), (8, 36), (20, 100), unit="条"),
        T("香薰蜡烛", "Scented candle", ("color",), (200, 450), (90, 90, 110), (20, 70), (12, 60)),
        T("保温杯", "Vacuum flask", ("color",), (280, 450), (80, 80, 250), (35, 95), (12, 60)),
        T("陶瓷餐具", "Ceramic dinnerware", ("color", "pack"), (400, 2600), (300, 300, 150), (25, 130), (6, 40)),
        T("记忆棉枕", "Memory-foam pillow", ("color",), (900, 1500), (600, 380, 150), (60, 160), (4, 20),
          zone="B"),
        T("不粘锅", "Non-stick pan", ("box",), (900, 1800), (480, 300, 120), (60, 180), (4, 24), zone="B"),
        T("衣架", "Clothes hangers", ("color", "pack"), (200, 900), (420, 200, 40), (6, 30), (20, 80)),
    ),
    descriptors=(("北欧", "Nordic"), ("加厚", "Thick"), ("简约", "Simple"), ("折叠", "Foldable"), ("纯棉", "Cotton"),
                 ("大容量", "Large"), ("日式", "Japanese-style"), ("ins风", "Insta-style")),
    brands=(("栖居", "Qiju"), ("木子家", "Muzijia"), ("小院", "Xiaoyuan"), ("暖宅", "Nuanzhai"), ("青山", "Qingshan"),
            ("素生活", "Sushenghuo")),
)

ELECTRONICS = Category(
    prefix="SM", zh="数码", en="Electronics", sku_quota=240, case_share=0.10, case_packs=(6, 12),
    types=(
        T("充电宝", "Power bank", ("color", "capacity"), (200, 480), (150, 75, 25), (45, 120), (10, 60), zone="V"),
        T("蓝牙耳机", "Bluetooth earbuds", ("color",), (50, 90), (100, 80, 40), (60, 260), (10, 60), zone="V"),
        T("数据线", "Charging cable", ("color", "cable"), (30, 70), (120, 90, 20), (5, 20), (30, 150)),
        T("快充充电器", "Fast charger", ("color",), (60, 140), (90, 60, 40), (25, 85), (20, 100)),
        T("手机壳", "Phone case", ("color",), (25, 50), (180, 100, 20), (5, 25), (30, 150)),
        T("智能手环", "Fitness band", ("color",), (40, 80), (120, 80, 45), (90, 200), (10, 40), zone="V"),
        T("U盘", "USB flash drive", ("storage",), (10, 30), (100, 60, 15), (15, 60), (30, 150), zone="V"),
        T("机械键盘", "Mechanical keyboard", ("color",), (700, 1100), (450, 160, 50), (120, 320), (5, 24)),
        T("无线鼠标", "Wireless mouse", ("color",), (80, 130), (160, 110, 60), (30, 90), (10, 60)),
    ),
    descriptors=(("快充", "Fast-charge"), ("无线", "Wireless"), ("降噪", "Noise-cancelling"), ("便携", "Portable"),
                 ("磁吸", "Magnetic"), ("超薄", "Slim"), ("游戏", "Gaming"), ("Type-C", "USB-C")),
    brands=(("极客派", "Geekpai"), ("闪电侠", "Shandianxia"), ("声浪", "Shenglang"), ("拓界", "Tuojie"),
            ("轻点", "Qingdian")),
)

HEALTH = Category(
    prefix="BJ", zh="保健", en="Health", sku_quota=50, case_share=0.25, case_packs=(6, 12, 24),
    types=(
        T("维生素C片", "Vitamin C tablets", ("count",), (80, 200), (60, 60, 110), (25, 80), (12, 96),
          shelf_life_days=730, unit="瓶"),
        T("鱼油软胶囊", "Fish-oil softgels", ("count",), (120, 260), (65, 65, 120), (60, 180), (12, 72),
          shelf_life_days=730, unit="瓶"),
        T("益生菌粉", "Probiotic powder", ("count",), (60, 160), (120, 60, 160), (68, 198), (12, 72),
          shelf_life_days=540, unit="盒"),
        T("钙片", "Calcium tablets", ("count",), (100, 220), (65, 65, 120), (30, 110), (12, 96),
          shelf_life_days=730, unit="瓶"),
    ),
    descriptors=(("复合", "Multi"), ("高含量", "High-strength"), ("儿童", "Kids'"), ("中老年", "Seniors'"),
                 ("天然", "Natural")),
    brands=(("康源", "Kangyuan"), ("健之初", "Jianzhichu"), ("百草堂", "Baicaotang")),
)

CATEGORIES: tuple[Category, ...] = (APPAREL, COSMETICS, FOOD, BABY, HOME, ELECTRONICS, HEALTH)

KIT_BRAND = ("仓库优选", "Cangku Select")
"""The merchant's own label on the gift sets it assembles from other SKUs."""

KITS: tuple[tuple[str, str, str, int], ...] = (
    ("护肤三件套礼盒", "Skincare trio gift box", "MZ", 3),
    ("口红双支装", "Lipstick duo", "MZ", 2),
    ("坚果零食大礼包", "Nut & snack hamper", "SP", 4),
    ("早餐咖啡组合", "Breakfast coffee bundle", "SP", 2),
    ("新生儿礼盒", "Newborn gift box", "MY", 3),
    ("居家收纳组合", "Home storage bundle", "JJ", 2),
    ("浴室毛巾套装", "Bath towel set", "JJ", 3),
    ("充电套装", "Charging bundle", "SM", 3),
    ("办公外设组合", "Desk set", "SM", 2),
    ("全家营养组合", "Family vitamin bundle", "BJ", 2),
)
"""(name_zh, name_en, category prefix, components): ten 组合装 built from SKUs of one category."""
# fmt: on
