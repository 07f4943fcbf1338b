"""The chat parser's vocabulary: photo references, amounts, colors, garments, occasions, seasons, intent cues.

Data, not logic: `intent.parse_message` reads a message through these tables and regexes. Teaching the
parser a new phrase means adding a row or an alternative here.
"""

from __future__ import annotations

import re

from relookx.fashion.colors import COLORS

_PHOTO_WORD = r"(?:image|photo(?:graph)?|picture|pic|img|snapshot|upload)s?"
PHOTO_NUMBER_RE = re.compile(rf"\b{_PHOTO_WORD}\s*(?:#|no\.?\s*|number\s*)?(\d+)\b|(?<![\w#&])#(\d+)\b")
PHOTO_ORDINAL_RE = re.compile(
    r"\b(?:(?:the|my)\s+)?(last|latest|most recent|newest|previous|second[- ]to[- ]last|first|earliest|"
    rf"oldest|second|third)\s+(?:one\s+)?{_PHOTO_WORD}\b"
)
ORDINAL_INDEX = {"last": -1, "latest": -1, "most recent": -1, "newest": -1, "previous": -2,
                 "second to last": -2, "first": 0, "earliest": 0, "oldest": 0,
                 "second": 1, "third": 2}

_CURRENCY_AFTER = r"(?:\s?[$€£]|\s?(?:eur(?:os?)?|usd|dollars?|bucks|gbp|pounds?|quid|chf|francs?)\b)"
AMOUNT_RE = re.compile(
    rf"(?P<cur>[$€£]\s?)?(?<![\w.,])(?P<num>\d+(?:[.,]\d+)?)(?P<k>k\b)?(?P<after>{_CURRENCY_AFTER})?"
)
MAX_BEFORE_RE = re.compile(
    r"(?<![a-z])(?:under|below|beneath|less than|no more than|not more than|max(?:imum)?|at most|up to|within|"
    r"cheaper than|lower than|less then|<=?|≤|around|about|approximately|roughly|budget(?: is| of| around"
    r"| about)?:?|between)\s*$"
)
MIN_RE = re.compile(r"(?<![a-z])(?:over|above|(?<!no )(?<!not )more than|at least)\s*$")
MIN_WITH_CURRENCY_RE = re.compile(r"(?<![a-z])(?:from|minimum|min)\s*$")
MAX_AFTER_RE = re.compile(r"^\s*(?:or less|or under|or cheaper|max(?:imum)?|at most)\b")
# A number followed by one of these is a quantity or a measure, not a photo or a price.
QUANTITY_AFTER_RE = re.compile(
    r"^\s*(?:%|cm|mm|kg|lbs?|years?|yrs?|yo|months?|days?|weeks?|hours?|minutes?|am|pm|st|nd|rd|th|"
    r"colou?rs?|items?|pieces?|garments?|outfits?|looks?|options?|ideas?|suggestions?|times?|people|x)\b"
)
SIZE_BEFORE_RE = re.compile(r"(?:size|sized|eu|us|uk|fr|it)\s*$")

NOT_COLORS = frozenset({"denim", "linen", "moccasin", "leopard", "multicolor", "snow", "tomato", "lemon",
                        "chocolate", "cherry", "wheat", "peru", "stone", "brick", "petrol"})
NEGATIONS = frozenset({"not", "no", "without", "except", "avoid", "avoiding", "hate", "but", "than", "nothing",
                       "isn't", "aren't", "don't", "never", "instead", "dislike"})
OWNED_MARKERS = frozenset({"my", "with", "match", "matching", "own", "have"})


def color_key(text: str) -> str:
    """A color name folded for lookup: lower case, no spaces or dashes, "gray" spelt "grey"."""
    return re.sub(r"[\s\-_'.]+", "", text.lower()).replace("gray", "grey")


COLOR_KEYS = frozenset(color_key(name) for name in COLORS)

WEAK_GARMENTS = frozenset({
    "top", "short", "cap", "ring", "watch", "tie", "pump", "bottom", "tank", "cape", "derby", "oxford",
    "converse", "kicks", "slides", "pouch", "hobo", "shopper", "messenger", "braces", "wedge", "visor",
    "bonnet", "trainer", "trainers", "tee", "jersey", "knit", "pant", "jean", "mule", "clog", "heel",
    "flats", "glasses", "cami", "stole", "panama", "duffle", "duffel", "polo", "fleece", "bomber", "turban",
    "trench", "tights", "cargo",
})
DETERMINERS = frozenset({"a", "an", "the", "my", "some", "new", "any", "one", "this", "that", "your",
                         "another", "what", "which", "nice", "cute", "simple", "cropped", "long"})
GARMENT_PAIRS = frozenset({
    "tank top", "t shirt", "crop top", "bucket hat", "baseball cap", "trench coat", "suit jacket",
    "bow tie", "pocket square", "fanny pack", "bum bag", "flip flop", "flip flops", "cargo pants",
    "maxi dress", "kimono dress", "button down", "long sleeve", "hair clip", "duffle coat", "tote bag",
})

OCCASIONS: tuple[tuple[str, str], ...] = (
    ("interview", r"\binterviews?\b"),
    ("wedding", r"\bweddings?\b"),
    ("funeral", r"\bfunerals?\b"),
    ("party", r"\bpart(?:y|ies)\b|\bbirthday\b|\bclubbing\b|\bnight out\b|\bcelebration\b"),
    ("date", r"\b(?:a|first|dinner|romantic|hot) date\b|\bdate night\b|\bdating\b"),
    ("work", r"\b(?:office|workplace|business|corporate|meetings?|professional|workwear)\b|"
             r"\b(?:for|to|at|from) work\b|\bwork (?:outfit|wear|clothes|look|event|day)s?\b"),
    ("formal", r"\bformal\b|\bgala\b|\bblack[- ]tie\b|\bceremon(?:y|ies)\b|\bopera\b"),
    ("evening", r"\bevenings?\b|\bcocktails?\b|\bdinner\b|\btonight\b"),
    ("beach", r"\bbeach\b|\bpool(?:side)?\b|\bseaside\b|\bresort\b"),
    ("sport", r"\bgym\b|\bsports?\b|\bworkouts?\b|\byoga\b|\bhik(?:e|ing)\b|\bjogging\b|\bfitness\b|"
              r"\b(?:for|go|went) running\b"),
    ("travel", r"\btravel\w*\b|\btrips?\b|\bvacation\b|\bholidays?\b|\bairport\b|\bflights?\b"),
    ("concert", r"\bconcerts?\b|\bfestivals?\b|\bgigs?\b"),
    ("school", r"\bschool\b|\buniversity\b|\bcollege\b|\bcampus\b"),
    ("weekend", r"\bweekends?\b"),
    ("casual", r"\bcasual\b|\beveryday\b|\bdaily\b|\brelaxed\b"),
)
SEASON_NAMES = (("winter", r"\bwinter\w*\b"), ("summer", r"\bsummer\w*\b"), ("spring", r"\bspring\w*\b"),
                ("autumn", r"\bautumn\w*\b|\b(?:for|in|this|next|the|early|late|during) fall\b|"
                           r"\bfall (?:outfit|look|wardrobe|season|weather|colou?rs?|days?)s?\b"))
SEASON_HINTS = (("winter", r"\bcold(?:er)?\b|\bchilly\b|\bfreezing\b|\bsnowy?\b|\bsomething warm\b|"
                           r"\bwarm (?:piece|layer|jacket|coat|sweater)\b|\bkeeps? me warm\b"),
                ("summer", r"\bhot (?:days?|weather|season)\b|\bthe heat\b|\bheatwave\b|"
                           r"\bwarm (?:days?|weather|season)\b|\bsunny\b"))

# (intent, weight, pattern): a message's intent is the one whose matched cues weigh most.
CUES: tuple[tuple[str, int, str], ...] = (
    ("preview", 3, r"\bpreviews?\b|\brender\w*\b|\bvisuali[sz]e\b|\bvirtual(?:ly)? try[- ]?on\b|"
                   r"\btry (?:it|this|that|them) on\b|\blooks? like on me\b|\bgenerate (?:an? )?(?:image|picture)\b"),
    ("preview", 3, r"\bwhat (?:would|will|does|might|could) (?:it|this|that|they|i|the [\w ]{1,25}?) look like\b|"
                   r"\bhow (?:would|will|do|does) (?:i|it|this|that|they) look\b"),
    ("preview", 3, r"\b(?:see|show|picture|imagine) (?:me|myself) (?:in|wearing|with)\b|\bof me wearing\b"),
    ("preview", 1, r"\bon me\b|\bwearing it\b"),
    ("shop", 3, r"\bwhere (?:can|could|do|should|would|to) (?:i |we )?(?:buy|get|find|order|purchase|shop)\b|"
                r"\bprice of\b|\bin stock\b|\bwhere (?:is|are) (?:it|this|that|they) sold\b"),
    ("shop", 3, r"\bhow much (?:does|would|will|do|is|are) (?:it|this|that|they|these|the (?:recommended|"
                r"suggested|new)\b[\w ]{0,20}?)(?: cost)?\b(?! worth)"),
    ("shop", 2, r"\bbuy(?:ing)?\b|\bpurchas\w*\b|\bshop(?:s|ping)?\b|\bstores?\b|\bretailers?\b|"
                r"\bfind (?:it|this|that|them|one)\b|\border (?:it|this|that|one)\b"),
    ("shop", 1, r"\blinks?\b|\bonline\b"),
    ("wardrobe_question", 3, r"\bhow many\b|\bdo i (?:have|own)\b|\bhave i got\b|\bmost (?:common|frequent|"
                             r"used|popular|dominant|expensive)\b|\bworth\b|\btotal value\b|\bcheapest\b"),
    ("wardrobe_question", 3, r"\bhow much (?:is|are|did|have) (?:i|my|all my)\b|\baverage (?:price|cost|value)\b|"
                             r"\blist (?:of )?(?:my|all|every)\b|\bwhich occasions?\b|\bnumber of\b|"
                             r"\bwhat(?:'s| is) in (?:my|image|photo)\b|\bwhat colou?rs? (?:do i|are in|dominate)\b"),
    ("wardrobe_question", 2, r"\bshow (?:me )?(?:all )?(?:of )?my\b|\b(?:in|from) my (?:wardrobe|closet)\b|"
                             r"\bsummar(?:y|i[sz]e)\b|\boccasions?\b|\bmy (?:favou?rite|main) colou?r\b|\bi own\b"),
    ("recommend", 3, r"\brecommend(?!ed)\w*\b|\bsuggest(?!ed)\w*\b|\badvi[cs]e\b|\bwhat to wear\b|"
                     r"\bwhat (?:else )?(?:goes|would go|could go|will go|should go|can go|pairs|matches)\b|"
                     r"\bto (?:match|go with|pair with|complete|complement)\b|\badd to (?:my|the|this|image|photo)\b"),
    ("recommend", 3, r"\bwhat (?:should|could|can|would|do) (?:i|you) (?:add|wear|pair|put|get|buy|choose)\b|"
                     r"\b(?:what|which|something|anything|a piece|one piece)\b[^.?!]{0,30}?\b(?:go|goes|pair|"
                     r"pairs|match|matches|work|works) with\b|\bstyle (?:image|photo|picture|this|it|me)\b"),
    ("recommend", 2, r"\b(?:match|complete|complement|elevate|upgrade|improve)\b|\bi(?: really)? (?:need|want|"
                     r"would like|'d like)\b|\blooking for\b|\b(?:missing|lacks?|lacking)\b|\bhelp me\b"),
    ("recommend", 1, r"\bsomething\b|\bideas?\b|\bcritique\b|\brate\b|\bwhat do you think (?:of|about)\b"),
    # A whole outfit from what they own ("what should I wear to the office tomorrow?"), not a piece to add.
    ("outfit", 5, r"\bwhat (?:should|shall|can|could|do|will) i wear\b[^.?!]{0,40}?\b(?:today|tomorrow|tonight|"
                  r"this (?:morning|afternoon|evening|weekend)|on (?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"),
    ("outfit", 5, r"\bdress me\b|\b(?:pick|choose|plan|put together|make) (?:me )?(?:an?|my|today's|tomorrow's) "
                  r"outfit\b|\boutfit (?:of the day|for (?:today|tomorrow|tonight))\b"),
    ("chat", 2, r"^\W*(?:is|are|does|do|can|could|should|would|will|isn't|aren't|doesn't)\b(?! (?:you|i have|i own)\b)|"
                r"^\W*(?:hello|hi|hey|thanks|thank you|good (?:morning|evening))\b"),
    ("chat", 1, r"\bwhat (?:is|are) (?:a|an|the)\b|\bexplain\b|\btell me about\b|\bdifference between\b|"
                r"\bhow (?:do|to)\b|\bwhy\b"),
)
CUE_RES = tuple((intent, weight, re.compile(pattern)) for intent, weight, pattern in CUES)
PRIORITY = ("preview", "shop", "wardrobe_question", "outfit", "recommend", "chat")
WORD_RE = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
