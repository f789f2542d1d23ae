"""A synthetic archive for benchmarks and scale tests: deterministic, and shaped like the real one.

``CorpusPlan(articles=N, people=M, seed=S)`` describes the corpus; nothing in it touches the
database, and every article is drawn from its own random stream (seed, number), so any
article can be produced alone, in any order, in any process, and is the same each time.

* People have Latin names (``Wendy Sutberg``), a Chinese transliteration (``温迪·萨特伯格``)
  and the aliases a registry gives them (full, family, sometimes an ambiguous given name).
* Articles are documents in the WeChat exporter's format (the seed's): Chinese prose with
  the people's names in Latin letters or in Chinese, hard-wrapped at spaces like html2text,
  links to other articles of the corpus in WeChat's long form (``__biz``/``mid``/``idx`` with
  ``sn``, ``chksm``, ``scene`` noise), some short links and external links, images on
  mmbiz.qpic.cn, a ``·END·`` footer with related-article cards, unregistered names (name
  candidates), and one rare two-character word per article for search recall checks.
* About one article in ten links to an article outside the corpus (the wanted list);
  one in fifty is imported as a draft; each carries one to three tags.

Two loaders put a plan in the database (``people/management/commands/generate_corpus.py``):
``load_through_pipeline`` imports each document with ``articles.importer.import_document``
and the registry with ``people.services.import_registry``; ``load_fast`` runs the same
parse, render and detection functions in worker processes and writes with bulk inserts,
for 100,000 articles in minutes. tests/test_corpus.py checks both give the same rows.
"""

import base64
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from articles.wechat import canonical_key

# Family names are prefix + middle + suffix: 30 × 12 × 30 = 10,800 distinct ones, each with a
# Chinese transliteration made of the pieces' (2 + 0-or-1 + 1 characters: never ambiguous).
FAMILY_PREFIXES = {
    "Al": "阿尔", "Ber": "伯尔", "Cal": "卡尔", "Dun": "邓恩", "Eck": "埃克", "Fair": "费尔", "Gold": "戈德",
    "Hart": "哈特", "Ives": "艾夫", "Jor": "乔尔", "Kell": "凯尔", "Lind": "林德", "Mor": "莫尔", "Nor": "诺尔",
    "Oak": "奥克", "Pem": "彭姆", "Quin": "奎因", "Ross": "罗斯", "Sut": "萨特", "Thorn": "索恩", "Ul": "乌尔",
    "Vance": "万斯", "Wes": "韦斯", "Yar": "亚尔", "Zel": "泽尔", "Brad": "布拉", "Chan": "钱德", "Dal": "达尔",
    "Fen": "芬恩", "Hal": "哈尔",
}  # fmt: skip
FAMILY_MIDDLES = {"": "", "a": "阿", "er": "尔", "in": "因", "o": "奥", "el": "埃", "an": "安", "is": "伊",
                  "ur": "乌", "en": "恩", "ov": "沃", "am": "姆"}  # fmt: skip
FAMILY_SUFFIXES = {
    "ton": "顿", "berg": "堡", "ley": "利", "man": "曼", "son": "森", "wick": "威", "field": "德", "ford": "福",
    "stein": "坦", "ridge": "奇", "wood": "伍", "ski": "基", "ova": "娃", "ani": "尼", "etti": "蒂", "ard": "德",
    "ow": "欧", "ish": "什", "er": "勒", "ing": "英", "ham": "汉", "sby": "比", "wald": "瓦", "mont": "蒙",
    "croft": "克", "holm": "霍", "vik": "维", "dale": "戴", "ez": "斯", "ay": "伊",
}  # fmt: skip
GIVEN_NAMES = {
    "James": "詹姆斯", "Mary": "玛丽", "Robert": "罗伯特", "Linda": "琳达", "David": "大卫", "Susan": "苏珊",
    "Daniel": "丹尼尔", "Karen": "凯伦", "Mark": "马克", "Nancy": "南希", "Paul": "保罗", "Laura": "劳拉",
    "Kevin": "凯文", "Emily": "艾米莉", "Brian": "布莱恩", "Helen": "海伦", "Jason": "杰森", "Rachel": "瑞秋",
    "Ryan": "瑞安", "Wendy": "温迪", "Oscar": "奥斯卡", "Irene": "艾琳", "Victor": "维克多", "Grace": "格蕾丝",
    "Felix": "菲利克斯", "Nora": "诺拉", "Hugo": "雨果", "Clara": "克拉拉", "Leon": "莱昂", "Alice": "爱丽丝",
}  # fmt: skip
# Names nobody registered: they become name candidates.
OUTSIDERS = [f"{given} {family}" for given in ("Evan", "Harrison", "Bojan", "Miles", "Tessa", "Ingrid")
             for family in ("Morikawa", "Kinsley", "Tunguz", "Okafor", "Lindqvist", "Petrov", "Castillo")]  # fmt: skip
COMPANIES = ["OpenAI", "Anthropic", "Google", "Meta", "微软", "英伟达", "字节跳动", "阿里巴巴", "腾讯", "百度",
             "Mistral", "DeepMind", "月之暗面", "智谱", "苹果"]  # fmt: skip
ROLES = ["联合创始人", "首席科学家", "研究员", "首席执行官", "投资人", "工程副总裁", "产品负责人"]
TOPICS = ["大模型", "算力", "开源", "芯片", "自动驾驶", "机器人", "多模态", "推理", "对齐", "数据中心", "搜索",
          "智能体", "融资", "估值", "人才", "监管", "编程助手", "具身智能", "训练数据", "强化学习"]  # fmt: skip
PUBLICATIONS = ["投资实习所", "硅谷前哨", "算力观察", "科技早知道", "创投日报", "产品沉思录", "数据派", "智能涌现",
                "海外独角兽", "芯片风云", "开源周刊", "未来简史"]  # fmt: skip
PROVINCES = ["北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "河北", "福建", "山东", "未知地区"]
ARTICLE_TAGS = ["人工智能", "大模型", "OpenAI", "创业", "投资", "芯片", "开源", "机器人", "自动驾驶", "人物",
                "访谈", "深度", "融资", "监管", "教育", "医疗", "硬件", "云计算", "搜索", "Agent"]  # fmt: skip
PERSON_TAGS = ["人工智能", "创业者", "投资人", "研究员", "工程师", "高管"]
TITLES = ["{p}：{t}的下一个十年", "为什么{p}离开了{co}？", "{co} 内部人士谈{t}", "{t}，正在改变一切",
          "专访{p}：我们低估了{t}", "{co} 的{t}野心", "{p}的{n}个判断", "{t}的战争，{co} 输了吗？"]  # fmt: skip
SENTENCES = [
    "{p} 认为，{t}的竞争才刚刚开始，真正的差距会在未来 {n} 年里拉开。",
    "据知情人士透露，{co} 正在筹备新一轮融资，估值可能超过 {n}0 亿美元。",
    "在接受采访时，{p} 表示自己最关心的仍然是{t}。",
    "这也是为什么越来越多的团队开始押注{t}。",
    "{co} 的工程师们花了 {n} 个月时间重写了整个训练框架。",
    "与此同时，{co} 也在{t}上投入了大量资源。",
    "一位接近 {co} 的人士说，内部对{t}的看法并不统一。",
    "从数据来看，过去一年里{t}相关的论文数量增长了 {n} 倍。",
    "{p} 曾在一次演讲中提到：“我们低估了{t}的难度。”",
    "很多人并不知道，{p} 早年在 {co} 工作过 {n} 年。",
    "这背后的逻辑其实很简单：谁掌握了{t}，谁就掌握了主动权。",
    "有投资人评价说，{p} 是这个领域最被低估的人之一。",
    "当然，也有人对此持保留意见，认为{t}的泡沫迟早会破。",
    "{p} 和团队最终选择了一条更难走的路：自己从头做{t}。",
    "如果把时间拨回 {n} 年前，几乎没有人相信{t}会走到今天。",
    "{co} 随后发布了一份长达 {n}0 页的技术报告，详细介绍了{t}方面的进展。",
]  # fmt: skip
# One rare two-character word per article, drawn from these characters (none used elsewhere):
# search must find every article that contains the one it is asked for.
RARE_CHARACTERS = "".join(chr(code) for code in range(0x9E1F, 0x9E1F + 120))
FIRST_DAY = datetime(2019, 1, 1)
DAYS = 2_300
OUTSIDE_SHARE = 0.1  # links that lead out of the corpus
DRAFT_SHARE = 0.02
WRAP_WIDTH = 78


@dataclass(frozen=True)
class PersonSpec:
    name: str
    native_name: str
    family: str
    family_native: str
    given: str
    headline: str
    tags: tuple[str, ...]
    aliases: tuple[dict, ...]

    def registry_entry(self) -> dict:
        """As ``people.services.import_registry`` (and samples/people.yaml) takes it."""
        return {
            "name": self.name,
            "native_name": self.native_name,
            "headline": self.headline,
            "tags": list(self.tags),
            "aliases": list(self.aliases),
        }


@dataclass(frozen=True)
class ArticleHead:
    """What other articles need to know of an article to link to it."""

    number: int
    title: str
    publication: int
    biz: str
    mid: int
    idx: int
    published_at: datetime
    main_person: int

    @property
    def key(self) -> str:
        """Its canonical identity (``articles.wechat``), which links to it resolve through."""
        return canonical_key(f"https://mp.weixin.qq.com/s?__biz={self.biz}&mid={self.mid}&idx={self.idx}")

    def url(self, rng: random.Random, *, form: str = "long") -> str:
        if form == "https":
            return f"https://mp.weixin.qq.com/s?idx={self.idx}&mid={self.mid}&__biz={self.biz}&sn={_hex(rng, 32)}#rd"
        return (
            f"http://mp.weixin.qq.com/s?__biz={self.biz}&mid={self.mid}&idx={self.idx}&sn={_hex(rng, 32)}"
            f"&chksm={_hex(rng, 72)}&scene=21#wechat_redirect"
        )


class CorpusPlan:
    def __init__(self, *, articles: int, people: int, seed: int):
        if articles < 0 or people < 1:
            raise ValueError("a corpus needs a number of articles (0 or more) and at least one person")
        self.articles, self.seed = articles, seed
        self.people = self._people(people)
        rng = random.Random(f"{seed}:publications")
        count = min(len(PUBLICATIONS), max(3, articles // 500))
        self.publications = [
            (name, base64.b64encode(str(rng.randrange(3_000_000_000, 3_999_999_999)).encode()).decode())
            for name in PUBLICATIONS[:count]
        ]
        # Some people are written about far more than others (Zipf-like), as in a real archive.
        self._person_weights = list(accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(self.people))))
        self._rare_pool = max(20, articles // 5)

    def _people(self, count: int) -> list[PersonSpec]:
        rng = random.Random(f"{self.seed}:people")
        families = [(p, m, s) for p in FAMILY_PREFIXES for m in FAMILY_MIDDLES for s in FAMILY_SUFFIXES]
        rng.shuffle(families)
        givens = list(GIVEN_NAMES)
        people, used_names = [], set()
        for number in range(count):
            prefix, middle, suffix = families[number % len(families)]
            family = prefix + middle + suffix
            given = givens[rng.randrange(len(givens))]
            while f"{given} {family}" in used_names:  # only once the family names run out
                given = givens[rng.randrange(len(givens))]
            used_names.add(f"{given} {family}")
            family_native = FAMILY_PREFIXES[prefix] + FAMILY_MIDDLES[middle] + FAMILY_SUFFIXES[suffix]
            native = f"{GIVEN_NAMES[given]}·{family_native}"
            aliases = [
                {"text": f"{given} {family}", "kind": "full", "language": "en"},
                {"text": native, "kind": "transliteration", "language": "zh"},
            ]
            if number < len(families):  # a family name of one's own
                aliases.append({"text": family, "kind": "family", "language": "en"})
            if rng.random() < 0.1:  # well enough known to go by the first name
                aliases.append({"text": given, "kind": "given", "language": "en", "ambiguous": True})
            people.append(
                PersonSpec(
                    name=f"{given} {family}",
                    native_name=native,
                    family=family,
                    family_native=family_native,
                    given=given,
                    headline=f"{rng.choice(COMPANIES)} {rng.choice(ROLES)}",
                    tags=tuple(rng.sample(PERSON_TAGS, rng.randrange(3))),
                    aliases=tuple(aliases),
                )
            )
        return people

    def registry(self) -> list[dict]:
        return [person.registry_entry() for person in self.people]

    def head(self, number: int) -> ArticleHead:
        """The title, identity and date of article ``number`` (also of numbers past the corpus)."""
        rng = random.Random(f"{self.seed}:head:{number}")
        publication = rng.randrange(len(self.publications))
        main = self._pick_people(rng, 1)[0]
        person = self.people[main]
        title = rng.choice(TITLES).format(
            p=rng.choice([person.name, person.native_name]),
            t=rng.choice(TOPICS),
            co=rng.choice(COMPANIES),
            n=rng.choice("三四五六七八九十"),
        )
        return ArticleHead(
            number=number,
            title=title,
            publication=publication,
            biz=self.publications[publication][1],
            mid=2_200_000_000 + number,
            idx=1 + number % 3,
            published_at=FIRST_DAY + timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
            main_person=main,
        )

    def is_draft(self, number: int) -> bool:
        return random.Random(f"{self.seed}:draft:{number}").random() < DRAFT_SHARE

    def tags(self, number: int) -> list[str]:
        rng = random.Random(f"{self.seed}:tags:{number}")
        return sorted(set(rng.choices(ARTICLE_TAGS, cum_weights=_ZIPF_TAGS, k=rng.randint(1, 3))))

    def rare_word(self, number: int) -> str:
        rng = random.Random(f"{self.seed}:rare:{number}")
        word = rng.randrange(self._rare_pool)
        return RARE_CHARACTERS[word % len(RARE_CHARACTERS)] + RARE_CHARACTERS[word // len(RARE_CHARACTERS) % 120]

    def document(self, number: int) -> bytes:
        """Article ``number`` as the WeChat exporter writes it."""
        head = self.head(number)
        rng = random.Random(f"{self.seed}:body:{number}")
        cast = [head.main_person, *self._pick_people(rng, rng.randint(0, 3))]
        named: set[int] = set()
        paragraphs = []
        for paragraph in range(rng.randint(5, 12)):
            sentences = []
            for _ in range(rng.randint(2, 5)):
                person = cast[rng.randrange(len(cast))]
                sentences.append(
                    rng.choice(SENTENCES).format(
                        p=self._reference(rng, person, named),
                        t=rng.choice(TOPICS),
                        co=rng.choice(COMPANIES),
                        n=rng.randint(2, 9),
                    )
                )
            if paragraph == 1:
                sentences.append(f"文中提到的“{self.rare_word(number)}”计划，目前仍处于早期阶段。")
            if rng.random() < 0.15:
                sentences.append(f"另一位叫 {rng.choice(OUTSIDERS)} 的工程师也说了类似的话。")
            if rng.random() < 0.45:
                sentences.insert(rng.randrange(len(sentences) + 1), self._inline_link(rng, number))
            paragraphs.append(_wrap("".join(sentences)))
            if rng.random() < 0.2:
                paragraphs.append(f"![](https://mmbiz.qpic.cn/mmbiz_jpg/{_token(rng, 40)}/640?wx_fmt=jpeg)")
            if rng.random() < 0.1:
                paragraphs.append("> " + _wrap(rng.choice(SENTENCES).format(
                    p=self._reference(rng, cast[0], named), t=rng.choice(TOPICS), co=rng.choice(COMPANIES), n=3,
                )).replace("\n", "\n> "))  # fmt: skip
            if rng.random() < 0.08:
                paragraphs.append("\n\n".join(f"  * {topic}的进展" for topic in rng.sample(TOPICS, 3)))
        footer = ["**·END·**", "推荐阅读："]
        for _ in range(rng.randint(1, 2)):
            related = self.head(self._link_target(rng, number))
            image = f"https://mmbiz.qpic.cn/mmbiz_jpg/{_token(rng, 40)}/640?wx_fmt=jpeg"
            footer.append(f"[![]({image})]({related.url(rng)})")
        footer.append(f"点击关注「{self.publications[head.publication][0]}」，获取更多深度内容。")
        location = PROVINCES[rng.randrange(len(PROVINCES))]
        text = (
            f"# {head.title}\n\n"
            f"文章作者: {self.publications[head.publication][0]}\n"
            f"发布时间: {head.published_at:%Y-%m-%d %H:%M}\n"
            f"发布地: {location}\n"
            f"原文链接: {head.url(rng).replace('#wechat_redirect', '#rd').replace('&scene=21', '')}\n\n"
            f"封面图链接: https://mmbiz.qpic.cn/sz_mmbiz_jpg/{_token(rng, 60)}/300\n\n"
            + "\n\n".join(paragraphs + footer)
            + "\n"
        )
        return text.encode()

    def _pick_people(self, rng: random.Random, count: int) -> list[int]:
        return rng.choices(range(len(self.people)), cum_weights=self._person_weights, k=count)

    def _reference(self, rng: random.Random, number: int, named: set[int]) -> str:
        """How the text names a person: in full the first time, later often shorter."""
        person = self.people[number]
        if number not in named:
            named.add(number)
            return person.name if rng.random() < 0.7 else person.native_name
        has_family = any(alias["kind"] == "family" for alias in person.aliases)
        forms = [person.name, person.native_name] + ([person.family] if has_family else [])
        return rng.choice(forms)

    def _link_target(self, rng: random.Random, number: int) -> int:
        if self.articles <= 1 or rng.random() < OUTSIDE_SHARE:
            return self.articles + rng.randrange(max(self.articles, 10))  # not archived
        target = rng.randrange(self.articles - 1)
        return target + (target >= number)  # never the article itself

    def _inline_link(self, rng: random.Random, number: int) -> str:
        roll = rng.random()
        if roll < 0.08:
            return f"（原文：https://mp.weixin.qq.com/s/{_token(rng, 22)}）"
        if roll < 0.14:
            return f"详见 [论文](https://arxiv.org/abs/24{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)})。"
        target = self.head(self._link_target(rng, number))
        form = "https" if roll < 0.25 else "long"
        return f"[{target.title}]({target.url(rng, form=form)})"


_ZIPF_TAGS = list(accumulate(1 / (rank + 1) for rank in range(len(ARTICLE_TAGS))))
_TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _hex(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_TOKEN_CHARACTERS) for _ in range(length))


def _wrap(paragraph: str, width: int = WRAP_WIDTH) -> str:
    """Break lines at spaces once they pass ``width`` characters, as html2text does."""
    lines, line = [], ""
    for word in paragraph.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])
