"""The curated claim lexicon: the words that make a sentence say something checkable.

A 135M model invents features, materials and certifications in plain lowercase words that no
number or capital letter betrays ("dishwasher safe", "bamboo", "BPA-free"). Each entry here is
a phrase that, when a description states it, the product data must state too. Kinds follow
the claim checker's vocabulary. Phrases are written normalised (lowercase, single spaces, British
spellings: see ``normalise``); matching tolerates hyphens, plurals and US spellings.

How to extend it: add the phrase under its kind; if a more general word should be supported by
a more specific one in the data ("metal" by "steel"), add it to IMPLIED_BY. Keep out words that
are vague praise rather than facts ("durable", "stylish"): they can't be checked, only read.
"""

from __future__ import annotations

MATERIAL = """
stainless steel|steel|carbon steel|cast iron|iron|aluminium|copper|brass|bronze|zinc|titanium|chrome|nickel|tin|
gold|silver|platinum|bamboo|oak|walnut|pine|beech|birch|teak|acacia|maple|cherry wood|mango wood|ash wood|wood|wooden|
solid wood|plywood|mdf|particleboard|chipboard|veneer|leather|faux leather|suede|cotton|organic cotton|wool|merino|
cashmere|linen|silk|polyester|nylon|spandex|elastane|lycra|viscose|rayon|fleece|denim|canvas|velvet|felt|hemp|jute|
goose down|duck down|down filled|feather filled|plastic|polypropylene|polyethylene|polycarbonate|abs|pvc|acrylic|tritan|resin|silicone|rubber|latex|
neoprene|foam|memory foam|glass|tempered glass|borosilicate glass|crystal|ceramic|porcelain|stoneware|earthenware|
terracotta|marble|granite|stone|slate|concrete|cork|rattan|wicker|paper|cardboard|carbon fibre|fibreglass|kevlar|
gore tex|vinyl|solid oak|solid pine|solid walnut|solid beech|solid teak|galvanised steel|zinc plated|nickel plated|
chrome plated|powder coated|anodised aluminium|enamel|cast aluminium|forged steel|chrome vanadium|tungsten|ptfe|teflon|nbr|epdm|viton|graphite
"""

COLOUR = """
black|white|red|blue|green|yellow|orange|purple|pink|brown|grey|beige|navy|teal|turquoise|ivory|cream|charcoal|
burgundy|maroon|khaki|lavender|lilac|magenta|cyan|mint|olive green|coral|salmon|mustard|tan|taupe|anthracite|
graphite grey|rose gold|cognac|camel|sand|gold coloured|silver coloured|copper coloured|transparent|multicolour|rainbow|matte black
"""

FEATURE = """
waterproof|water resistant|water repellent|windproof|dustproof|shockproof|splash proof|rustproof|stain resistant|
scratch resistant|heat resistant|uv protection|uv resistant|wireless|cordless|bluetooth|wi fi|nfc|gps|usb c|
rechargeable|solar powered|battery powered|fast charging|quick charge|wireless charging|noise cancelling|
active noise cancelling|touchscreen|touch screen|touch control|voice control|app control|backlit|dimmable|
oled|4k|hdr|full hd|energy monitoring|remote control|motion sensor|auto shut off|non stick|nonstick|
adjustable|height adjustable|foldable|folding|collapsible|stackable|portable|removable|detachable|reversible|
retractable|extendable|expandable|convertible|lockable|programmable|magnetic|insulated|double walled|vacuum insulated|
heated|breathable|quick dry|moisture wicking|anti slip|non slip|ergonomic|lumbar support|anti vibration|keyless|
self cleaning|leak proof|spill proof|airtight|soundproof|built in speaker|microphone|
adjustable armrest|adjustable arm rest|castor|cushioned|padded|
ultra light|heavy duty|frost resistant|weatherproof|fireproof|flame retardant|child safe|childproof|
tool free assembly|pre assembled|self adhesive|decaffeinated|caffeine free|sugar free|alcohol free|spicy|
antibacterial|antimicrobial|low energy consumption|energy saving|energy efficient|power management|
automatic power management|battery drain|freshly squeezed|cold pressed|stone ground|hand made|handmade|hand crafted|
healthy|nutritious|superfood|promote relaxation|promotes relaxation|reduce stress|reduces stress|relieve stress|immune system|
detox|medicinal|traditional medicine|anti inflammatory|antioxidant|low calorie|low fat|high protein|no added sugar|
no added salt|boost energy|energy boost|improve sleep|aid digestion|harsh environment|extreme condition|all weather|hypoallergenic|fragrance free|scented|unscented|washable|wipeable|potable water|
food grade|food safe|insulated handle|soft close|pre lubricated|shielded|full bore|
wide angle|image processing|image stabilisation|image stabilization|autofocus|auto focus|night vision|face recognition|facial recognition
"""

CERTIFICATION = """
ce|ul|etl|fcc|rohs|reach|ukca|weee|tuv|gs|bpa free|organic|certified organic|usda organic|iso 9001|iso|fda|
fda approved|vegan|vegetarian|fsc|pefc|fair trade|fairtrade|rainforest alliance|gluten free|lactose free|dairy free|
nut free|kosher|halal|non gmo|energy star|oeko tex|gots|cruelty free|leaping bunny|dermatologically tested|
clinically proven|lab tested|certified|approved|nsf|wras|dvgw|en 71|en 853|ip67|ip68|ip65|ip54|ipx4|ipx5|ipx7|ipx8|
soil association|msc|asc|pdo|pgi|demeter|b corp|recycled|recyclable|biodegradable|compostable|eco friendly|
sustainable|carbon neutral|plastic free|made from recycled
"""

CARE = """
machine washable|machine wash|hand wash|hand wash only|dishwasher safe|dishwasher proof|oven safe|microwave safe|
freezer safe|fridge safe|induction safe|dry clean|dry clean only|tumble dry|do not tumble dry|iron on low|
tumble dried|wipe clean|easy to clean|rinse clean|wash before use|season before use
"""

SENSORY = """
flavour|flavours|taste|tastes|aroma|aromatic|scent|smell|smells|fragrance|fragrant|notes of|hints of|hint of|
aftertaste|mouthfeel|citrus|lemony|fruity|nutty|floral|smoky|bitter|creamy|buttery|peppery|earthy|
tangy|zesty|herbal|woody|velvety|silky|crunchy|chewy|juicy|savoury|caramel|vanilla|honeyed|chocolatey|grassy|
soft to the touch|supple|sweet|silky soft|buttery soft|cool to the touch|warm to the touch
"""

TYPE = """
pump|valve|fitting|bearing|hose|pipe|gasket|seal kit|bolt|screw|tv|television|monitor|laptop|tablet|
smartphone|phone|smartwatch|camera|printer|scanner|projector|router|modem|speaker|soundbar|headphones|earbuds|
headset|keyboard|mouse|charger|power bank|drill|saw|hammer|screwdriver|wrench|spanner|
pliers|sander|grinder|tape measure|ladder|toolbox|kettle|toaster|blender|mixer|juicer|coffee maker|
espresso machine|grinder|microwave|oven|fridge|freezer|dishwasher|frying pan|pan|skillet|wok|saucepan|knife|
mug|bottle|flask|tumbler|jar|lamp|bulb|lantern|headlamp|torch|flashlight|vase|rug|carpet|
pillow|cushion|blanket|duvet|mattress|tent|sleeping bag|backpack|rucksack|suitcase|wallet|belt|hat|scarf|
gloves|socks|dress|skirt|jacket|coat|shirt|t shirt|blouse|sweater|jumper|hoodie|trousers|jeans|shorts|leggings|
sneakers|trainers|shoes|boots|sandals|slippers|table|desk|chair|stool|bench|sofa|couch|bed|bookcase|shelving unit|
cabinet|wardrobe|dresser|sideboard|toy|puzzle|doll|board game|book|shampoo|conditioner|soap|lotion|
serum|perfume|candle|vinegar|sauce|tea|coffee|chocolate|wine|beer|juice|snack|cereal|dog bed|cat tree|leash|
collar|harness|aquarium|sensor|relay|motor|compressor|generator|heater|humidifier|vacuum cleaner|robot|shaker|salt shaker|pepper mill|muesli|granola|poncho|puppet|gaming chair|office chair|workstation
"""

# Benefit and provenance claims checked in every draft but never banned while decoding: a
# decode-time ban on these common words ("calming", "healing") moved the model's wording on
# real catalog products without making the drafts more faithful (measured on tests/test_catalog.py).
BENEFIT = """
healing|calming|soothing|calming properties|soothing properties|healing properties|health benefits|wellbeing|
battery management|battery life|long lasting battery|other countries|many countries|around the world|
eliminate the need|eliminates the need|eliminating the need|removes the need|pneumatic|hydraulic
"""

INCLUDED_WORDS = "comes with|come with|includes|include|including|supplied with|shipped with|bundled with|packed with|complete with|with a free|in the box|included"

# A generic word in a text is supported by any of these more specific words in the data.
IMPLIED_BY = {
    "metal": "steel stainless iron aluminium brass copper bronze zinc titanium chrome nickel tungsten vanadium",
    "wood": "oak walnut pine beech birch teak acacia maple cherry mango ash plywood veneer bamboo timber",
    "wooden": "oak walnut pine beech birch teak acacia maple cherry mango ash plywood veneer bamboo wood timber",
    "plastic": "polypropylene polyethylene polycarbonate abs pvc acrylic tritan nylon resin",
    "wireless": "bluetooth wi fi wifi cordless nfc",
    "cordless": "battery wireless",
    "rechargeable": "li ion lithium battery rechargeable usb charging",
    "smart": "wi fi app alexa google assistant",
    "portable": "battery cordless wireless",
    "fabric": "cotton wool linen polyester nylon silk velvet fleece canvas",
    "leak proof": "leakproof airtight",
    "auto focus": "autofocus",  # the phrase's pattern also matches the one-word spelling
    "image stabilisation": "stabiliser stabilised",
    "adjustable": "adjustable height range",
    "led": "led lm lumen",
    "clear": "transparent glass",
    "transparent": "clear glass",
    "flask": "bottle thermos",
    "bottle": "flask",
    "television": "tv",
    "tv": "television",
    "couch": "sofa",
    "sofa": "couch",
    "jumper": "sweater pullover",
    "sweater": "jumper pullover",
    "trainers": "sneakers",
    "sneakers": "trainers",
    "earbuds": "earphones headphones",
    "headphones": "earbuds earphones headset",
    "skillet": "pan",
    "pan": "skillet frying",
    "torch": "flashlight",
    "flashlight": "torch",
    "rucksack": "backpack",
    "backpack": "rucksack",
    "machine washable": "machine wash",
    "machine wash": "machine washable",
}

# Words that are never a claim when they follow "ideal for", "comes with", "works with" ...
GENERIC_OBJECT_WORDS = set(
    """a an the and or of for to in on at with by from your you yours our its it their them this that these those any all
    every each many most more some one ones day days daily everyday use uses using used home house life time times
    anyone everyone people person family occasion occasions moment moments kind sort way ways things thing lot lots
    work working job jobs task tasks project projects need needs purpose purposes long longer wide range variety
    kitchen room rooms space spaces table desk morning evening night weekend year round season seasons simple easy
    quick fast little small big large good great nice well both also just very really various different other several
    most many all sort kinds types""".split()
)


def phrases(block: str) -> list[str]:
    """The lexicon block as a list, longest first (so 'stainless steel' wins over 'steel')."""
    items = {item.strip() for item in block.replace("\n", "").split("|") if item.strip()}
    return sorted(items, key=lambda item: (-len(item), item))


LEXICON: dict[str, list[str]] = {
    "material": phrases(MATERIAL),
    "colour": phrases(COLOUR),
    "feature": phrases(FEATURE),
    "certification": phrases(CERTIFICATION),
    "care": phrases(CARE),
    "sensory": phrases(SENSORY),
    "type": phrases(TYPE),
    "use": phrases(BENEFIT),
}

# A claim the data supports by denying its opposite ("hand wash only" when dishwasher_safe: no).
IMPLIED_BY_DENIAL = {"hand wash": "dishwasher safe", "hand wash only": "dishwasher safe", "corded": "cordless"}

# Sensory nouns: supported when the data describes taste or smell at all; the descriptors
# ("citrus", "nutty") must themselves be in the data.
SENSORY_NOUNS = {"flavour", "flavours", "taste", "tastes", "aroma", "aromatic", "scent", "smell", "smells", "fragrance",
                 "fragrant", "notes of", "hints of", "hint of", "aftertaste", "mouthfeel"}
SENSORY_DATA_WORDS = {"tasting", "note", "flavour", "taste", "aroma", "scent", "smell", "fragrance", "profile"}

# Marks that are claims only when written in capitals ("CE", not "ce"; "REACH", not "reaches").
ACRONYMS = {"ce", "ul", "etl", "fcc", "rohs", "reach", "ukca", "weee", "tuv", "gs", "iso", "fda", "fsc", "pefc", "nsf",
            "wras", "dvgw", "msc", "asc", "pdo", "pgi", "gots", "abs", "pvc", "nbr", "epdm", "ptfe", "mdf", "led", "nfc", "gps"}

# Words that end a product's name after its brand: the verb or preposition that follows it.
NAME_STOP_WORDS = set("""is are was were has have had with in for from of and or by on at to that which who the a an its it
this these can will may comes runs holds weighs measures delivers stands takes features offers keeps gives makes puts uses
stores charges boils fits packs brings lets provides combines pairs works sits draws heats cools cuts grinds lights prints
plays connects supports includes stretches spans reaches rolls folds opens closes locks clips mounts hangs sets serves
needs lasts helps adds brews roasts pours cleans protects covers made designed built crafted filled rated finished
measured sold""".split())

# Kinds whose phrases the decoder may not write unless the row's data supports them, and words
# left out because they are as often ordinary English as a claim ("felt", "iron", "clear").
DECODE_KINDS = ("material", "colour", "feature", "certification", "care", "sensory")
DECODE_SKIP = set("""felt tin iron glass clear sand tan camel mint coral cream sweet stone paper crystal taste tastes
finish scent smell smells flavour flavours aroma notes of hints of hint of ce gs ul asc msc pdo reach iso approved certified
sustainable recycled recyclable portable adjustable removable quiet wheel""".split()) | {"notes of", "hints of", "hint of"}
