"""Canonical address text: what police, utility and clerk inputs become before they are parsed.

`normalize(text)` returns the canonical text; `normalize_with_corrections(text)` also returns the
list of what it changed ("十八号→18号", "栋→幢", "號→号", "删除 附近" …) so a clerk can see why
the match was made.  Both are idempotent: normalising canonical text changes nothing.

The canonical forms are those of the standard text (see `apps.addresses.components`):
``8号``, ``8-1号`` (附号), ``3幢``, ``2单元``, ``5层``, ``502室``, ``3组`` (村民小组), ``12弄``.

Rules, in the order they run (each has its why-comment where it is implemented):

1. character folding — NFKC (full-width digits, letters and punctuation → ASCII), traditional →
   simplified for the characters that occur in addresses, every dash → ``-``, ASCII upper case;
2. leading labels (``地址：``, ``住址``) and the country name are dropped;
3. phone numbers, and a person's name written next to one or after 联系人/收件人, are dropped;
4. brackets: noise inside them (原…/旧…, 附近, empty) is dropped, other content kept unbracketed;
5. location noise (附近, 对面, 旁边, 东侧, 往东50米, …交叉口) is dropped;
6. ``No.``/``#`` before a door number is dropped; a space or punctuation between two digits
   becomes ``-`` (``3 2 502`` = ``3-2-502``); all other whitespace and punctuation goes;
7. committee forms: ``村委会``/``村民委员会`` → ``村``, ``社区居委会`` → ``社区``,
   ``街道办事处`` → ``街道``;
8. Chinese numerals → Arabic digits, but only where they are numbers: before a number marker
   (号 幢 栋 号楼 单元 层 楼 室 户 组 小组 村民小组, 弄/巷 after a road, 队 after a village), after
   ``之`` (附号), or as a bare room number after 单元/幢/层.  Numerals inside names (三里桥,
   五龙社区, 千秋街道, 十字街, 八里店, 二号桥) are kept; callers can protect more names;
9. markers: ``第`` dropped, ``8号之一``/``8号附1`` → ``8-1号``, 栋/号楼/座/#/A楼 → 幢,
   ``5楼``/``5F`` → ``5层``, ``负1层``/``地下1层`` → ``-1层``, 户/房/号房 → 室,
   小组/村民小组 → 组;
10. dash groups by context: after a road or group ``8-1`` is a 附号 (``8-1号``) and ``8-3-502``
    is ``8号3幢502室``; after 幢 ``2-502`` is ``2单元502室``; elsewhere ``3-2-502`` is
    ``3幢2单元502室`` and ``3-502`` is ``3幢502室``;
11. bare numbers by context: after 单元/层 (and a 3+ digit one after 幢 or 号) it is a room,
    after a road, lane, group or village it is a door number (``英溪南路8`` → ``英溪南路8号``).

Pure: standard library only, no Django import.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

__all__ = ["normalize", "normalize_with_corrections", "fold", "fold_with_corrections", "cn_to_int", "T2S",
           "NUMERAL_CHARS", "NUMBER_MARKERS", "has_numeral_before_marker"]

# ---------------------------------------------------------------------------------------------
# 1. Character folding
# ---------------------------------------------------------------------------------------------

# Traditional → simplified, for characters found in Chinese place, road and compound names and in
# address markers (號 樓 單元 層 戶 組 區 縣 鎮 鄉 …).  Checked against OpenCC's TSCharacters
# table; one-to-many characters whose simplified form depends on the word are deliberately left
# out (乾 stays: 乾元镇 is a real name, not 干元镇; 於 stays: 於潜; 徵, 藉, 蘋, 隻, 甯 likewise).
# 嶴 → 岙 is the Zhejiang gazetteer usage (not an OpenCC pair).
_T2S_PAIRS = """
號号 樓楼 單单 層层 戶户 組组 區区 縣县 鎮镇 鎭镇 鄉乡 園园 灣湾 棟栋 門门 東东 車车 長长 陽阳 龍龙 鳳凤 華华
興兴 廣广 場场 莊庄 橋桥 灘滩 嶺岭 嶼屿 島岛 澤泽 濱滨 溝沟 壩坝 圍围 閘闸 碼码 頭头 會会 委委 衚胡 衕同 嶴岙
丟丢 並并 亂乱 亞亚 來来 侖仑 倉仓 個个 們们 倫伦 偉伟 側侧 備备 傳传 債债 傷伤 僑侨 價价 儀仪 億亿 優优 儲储
兒儿 內内 兩两 冊册 凈净 凍冻 凱凯 別别 則则 剛刚 創创 劃划 劇剧 劉刘 劍剑 勁劲 動动 務务 勝胜 勞劳 勢势 勳勋
勵励 勸劝 匯汇 協协 卻却 厲厉 參参 叄叁 叢丛 吳吴 呂吕 員员 問问 啟启 喬乔 嘆叹 嚴严 國国 圓圆 圖图 團团 執执
堅坚 報报 塊块 塢坞 塗涂 墊垫 墳坟 墻墙 墾垦 壇坛 壓压 壘垒 壯壮 壺壶 壽寿 夢梦 夾夹 奧奥 奪夺 奮奋 婦妇 媽妈
嬰婴 孫孙 學学 寧宁 實实 審审 寫写 寬宽 寶宝 將将 專专 尋寻 對对 導导 屆届 屬属 岡冈 峯峰 峽峡 崗岗 崑昆 嵐岚
嶽岳 巒峦 巖岩 帥帅 師师 帳帐 帶带 幣币 幫帮 幹干 幾几 庫库 廁厕 廂厢 廈厦 廚厨 廟庙 廠厂 廣广 廬庐 廳厅 張张
強强 彈弹 彎弯 彙汇 後后 徑径 從从 復复 恆恒 悅悦 惡恶 愛爱 態态 慶庆 憶忆 應应 懷怀 戀恋 戰战 戲戏 拋抛 掃扫
換换 揚扬 搖摇 擁拥 擇择 擊击 據据 擴扩 擺摆 攝摄 敗败 敵敌 數数 斷断 時时 晉晋 暉晖 暢畅 曉晓 曆历 書书 條条
棄弃 棧栈 楊杨 楓枫 業业 極极 榮荣 構构 槍枪 樂乐 樑梁 標标 樞枢 樣样 樸朴 樹树 樺桦 機机 橫横 檔档 檢检 檯台
櫃柜 櫻樱 欄栏 權权 歐欧 歡欢 歲岁 歷历 歸归 殘残 殯殡 殼壳 氣气 決决 沒没 沖冲 況况 涇泾 涼凉 淚泪 淨净 淩凌
淪沦 淵渊 淺浅 減减 測测 渾浑 湊凑 湧涌 湯汤 準准 溫温 滄沧 滅灭 滬沪 滯滞 滲渗 滸浒 滾滚 滿满 漁渔 漢汉 漣涟
漲涨 漸渐 潔洁 潛潜 潤润 潯浔 澗涧 澱淀 濁浊 濃浓 濕湿 濟济 濤涛 濰潍 濼泺 瀋沈 瀏浏 瀘泸 瀝沥 瀟潇 瀨濑 瀾澜
灃沣 灑洒 灝灏 灤滦 災灾 為为 烏乌 無无 煉炼 煙烟 煥焕 熱热 燁烨 燈灯 燒烧 營营 燦灿 爐炉 爭争 爾尔 牆墙 牽牵
犢犊 狀状 獅狮 獎奖 獨独 獲获 獻献 現现 瑤瑶 瑪玛 璣玑 環环 瓊琼 產产 甦苏 畝亩 畢毕 畫画 異异 當当 疇畴 療疗
發发 皚皑 盜盗 盤盘 盧卢 眾众 礄硚 礎础 磯矶 磚砖 礦矿 禮礼 禪禅 種种 稱称 穀谷 積积 穎颖 穩稳 窩窝 窪洼 窯窑
竇窦 競竞 竪竖 筆笔 節节 範范 築筑 簡简 籃篮 籬篱 糧粮 紀纪 約约 紅红 紋纹 納纳 紐纽 純纯 紗纱 紙纸 級级 紡纺
細细 紳绅 紹绍 終终 結结 絕绝 絡络 給给 統统 絲丝 經经 綜综 綠绿 維维 綱纲 網网 綿绵 緊紧 緒绪 線线 編编 緣缘
練练 縫缝 總总 績绩 織织 繡绣 繩绳 繼继 續续 纜缆 罈坛 罰罚 羅罗 義义 習习 聖圣 聞闻 聯联 聰聪 聲声 職职 聽听
肅肃 脈脉 腦脑 腳脚 臺台 與与 舉举 舊旧 舘馆 館馆 艦舰 萬万 葉叶 葦苇 蓮莲 蔣蒋 蔥葱 蕪芜 蕭萧 薊蓟 薑姜 藍蓝
藝艺 藥药 藺蔺 蘆芦 蘇苏 蘭兰 處处 蝦虾 蠶蚕 術术 衛卫 衝冲 補补 裝装 裡里 裏里 製制 複复 見见 規规 視视 親亲
覺觉 觀观 計计 記记 設设 許许 診诊 評评 詩诗 誠诚 話话 該该 認认 語语 說说 課课 調调 談谈 論论 諸诸 謝谢 證证
識识 譚谭 護护 讀读 變变 讓让 豎竖 豐丰 豬猪 貓猫 貝贝 貞贞 財财 貢贡 貨货 貳贰 貴贵 費费 貿贸 賀贺 資资 賈贾
賓宾 賢贤 賣卖 質质 賴赖 購购 賽赛 贊赞 贛赣 趙赵 趕赶 躍跃 軌轨 軍军 軒轩 軟软 較较 載载 輔辅 輕轻 輝辉 輪轮
輸输 轄辖 轉转 辦办 辭辞 農农 這这 連连 週周 進进 遊游 運运 過过 達达 遠远 適适 遷迁 選选 遺遗 遼辽 邁迈 還还
邊边 郵邮 鄒邹 鄖郧 鄧邓 鄭郑 鄰邻 醫医 醬酱 釀酿 釋释 釣钓 銀银 銅铜 鋒锋 鋪铺 鋼钢 錢钱 錦锦 錫锡 鍋锅 鍾钟
鎖锁 鏈链 鏡镜 鐘钟 鐵铁 閃闪 閉闭 開开 閑闲 間间 閣阁 閩闽 閬阆 閱阅 闆板 闊阔 關关 陝陕 陞升 陣阵 陰阴 陳陈
陸陆 隊队 階阶 際际 隨随 險险 隱隐 隴陇 隸隶 雙双 雜杂 雞鸡 離离 難难 雲云 電电 霧雾 靈灵 靜静 韓韩 韻韵 頂顶
項项 順顺 頌颂 預预 領领 頤颐 頻频 題题 顏颜 願愿 類类 顧顾 顯显 風风 飛飞 飯饭 飲饮 養养 餘余 馬马 馮冯 駐驻
騰腾 驛驿 驗验 體体 鬆松 鬥斗 鬧闹 鬱郁 魚鱼 魯鲁 鮮鲜 鳥鸟 鳴鸣 鴻鸿 鵝鹅 鵬鹏 鶴鹤 鷹鹰 鷺鹭 鹽盐 麗丽 麥麦
黃黄 點点 黨党 齊齐 齋斋 龐庞 龜龟 滙汇 塚冢 僱雇 嘗尝
"""
T2S: dict[str, str] = {}
for _pair in _T2S_PAIRS.split():
    if len(_pair) != 2:
        raise ValueError(f"bad traditional/simplified pair {_pair!r}")
    if _pair[0] != _pair[1]:
        T2S[_pair[0]] = _pair[1]
del _pair

# Why: NFKC leaves the many dash look-alikes (en/em dash, minus sign, Chinese 一-like dashes) and
# the white circle used for 〇 ("五○二") alone; addresses use them interchangeably.
_DASHES = frozenset("‐‑‒–—―−⁃﹘ーｰ")
_CHAR_EXTRA = {"○": "〇", "◯": "〇", "〜": "~", "～": "~"}


@lru_cache(maxsize=None)
def _fold_char(ch: str) -> str:
    # Why NFKC: full-width digits/letters/punctuation (８号, Ａ座, （）, ，) and circled numbers
    # (⑧) are the same characters to a reader; NFKC maps them to ASCII without touching CJK.
    s = unicodedata.normalize("NFKC", _CHAR_EXTRA.get(ch, ch))
    out = []
    for c in s:
        c = T2S.get(c, c)  # Why: 號/樓/單元/縣/鎮… from Hong Kong/Taiwan keyboards and old records
        if c in _DASHES:
            c = "-"
        elif "a" <= c <= "z":
            c = c.upper()  # Why: a座 and A座, 502a and 502A are the same building / room
        elif c.isspace():
            c = " "
        out.append(c)
    return "".join(out)


def fold_with_corrections(text: str) -> tuple[str, list[str]]:
    """Character folding only (rule 1); corrections name each distinct changed character once
    (case and whitespace changes are not listed)."""
    out: list[str] = []
    notes: list[str] = []
    seen: set[str] = set()
    for ch in text:
        f = _fold_char(ch)
        out.append(f)
        # Only letters, digits and CJK are worth listing (not （→( or ，→,).
        if f != ch and ch not in seen and f.isalnum() and f != ch.upper():
            seen.add(ch)
            notes.append(f"{ch}→{f}")
    return "".join(out), notes


def fold(text: str) -> str:
    """Character folding only: NFKC, traditional → simplified, dashes, upper case."""
    return "".join(map(_fold_char, text))


# ---------------------------------------------------------------------------------------------
# Chinese numerals
# ---------------------------------------------------------------------------------------------

_DIGIT = {"零": 0, "〇": 0, "一": 1, "壹": 1, "幺": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
          "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
NUMERAL_CHARS = frozenset(_DIGIT) | frozenset(_UNIT)
_NUM_RUN = re.compile("[" + "".join(sorted(NUMERAL_CHARS)) + "]+")


def cn_to_int(s: str) -> int | None:
    """十八 → 18, 一百零二 → 102, 五〇二 / 五零二 → 502, 二百五 → 250; None if not a number."""
    text = _cn_to_digits(s)
    return int(text) if text is not None else None


def _cn_to_digits(s: str) -> str | None:
    if not s or any(c not in NUMERAL_CHARS for c in s):
        return None
    if not any(c in _UNIT for c in s):
        # Positional (room numbers are read digit by digit): keep leading zeros as written.
        return "".join(str(_DIGIT[c]) for c in s)
    total, digit, last_unit, zero_seen = 0, None, 10 ** 9, False
    for c in s:
        if c in _UNIT:
            unit = _UNIT[c]
            if unit >= last_unit:
                return None  # 十百, 百百: not a number
            total += (1 if digit is None else digit) * unit
            digit, last_unit, zero_seen = None, unit, False
        elif _DIGIT[c] == 0:
            if digit is not None:
                return None
            zero_seen = True
        else:
            if digit is not None:
                return None  # 五五十: not a number
            digit = _DIGIT[c]
    if digit is not None:
        # 二百五 = 250 (colloquial: the digit counts the next lower unit) unless 零 came between.
        total += digit * (last_unit // 10 if (last_unit >= 100 and not zero_seen) else 1)
    return str(total)


# Markers a Chinese numeral must stand before to be read as a number (longest first).
NUMBER_MARKERS = ("村民小组", "单元", "号楼", "小组", "号", "幢", "栋", "层", "楼", "室", "户", "组", "弄", "巷", "队", "#")
_MARKER = re.compile("|".join(NUMBER_MARKERS))
# 二号桥, 三号路, 一号门 are names, not door numbers (Why: numbered bridges/roads are common rural
# place names; a door number is never followed by these name endings).
_NAME_AFTER_HAO = frozenset("桥村路街巷弄坊湾港浜埠岭山塘浦渡闸庙堰坝井线门田")
_ROAD_END = frozenset("路街道巷弄")


def has_numeral_before_marker(name: str) -> bool:
    """Whether normalisation would turn a numeral inside `name` into digits (e.g. 三号路);
    the gazetteer protects such names."""
    for m in _NUM_RUN.finditer(name):
        if _MARKER.match(name, m.end()):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Regexes of rules 2–11
# ---------------------------------------------------------------------------------------------

_CJK = "\u4e00-\u9fff"
_SEP = r"[\s,;:、/]"
_LABEL = re.compile(r"^\s*(?:(?:户籍|现住|居住|家庭|详细|通讯|联系|收货|送货|注册|经营|办公|单位|所在)?(?:地址|住址)|住所|地点)"
                    r"\s*[:]?\s*")
_COUNTRY = re.compile(r"^\s*(?:中华人民共和国|中国)\s*")
_PHONE_LABEL = r"(?:联系电话|联系方式|电话号码|手机号码|手机号|固话|电话|手机|座机|TEL|PHONE|MOBILE)"
_PHONE_NUMBER = r"(?:(?:\+?86)[- ]?)?(?:1[3-9]\d(?:[- ]?\d{4}){2}|0\d{2,3}[- ]?\d{7,8})"
_PHONE = re.compile(rf"(?:{_PHONE_LABEL}\s*[:]?\s*)?(?<!\d){_PHONE_NUMBER}(?!\d)"
                    rf"|{_PHONE_LABEL}\s*[:]?\s*\d{{7,8}}(?!\d)")
_PERSON_LABEL = re.compile(rf"(?:联系人|收件人|收货人|姓名|户主|住户|业主)\s*[:]?\s*(?:[{_CJK}]{{2,4}}?(?={_SEP}|$|\d))?")
_HONORIFIC = re.compile(rf"[{_CJK}](?:先生|女士|小姐|师傅)")
# Characters that make a word part of an address rather than a person's name.
_ADDRESS_CHARS = frozenset("省市区县旗镇乡村街道路巷弄里号幢栋楼单元室层组苑园庄湾桥城府居院坊厦场寓墅庭轩阁湖山江河溪塘浜港埠岭坞岙埭社")
_OPEN, _CLOSE = "([{<【〔〈《「『", ")]}>】〕〉》」』"
_BRACKET = re.compile(rf"[{re.escape(_OPEN)}]([^{re.escape(_OPEN + _CLOSE)}]*)[{re.escape(_CLOSE)}]")
_BRACKET_NOISE = re.compile(r"^(?:原|旧|曾用名|曾|即|又名|俗称|老地址|现为|现名)")
_NOISE = re.compile(
    r"斜对面|正对面|对面|附近|隔壁|旁边|周边|一带|边上"
    r"|(?:往|向)?[东南西北]{1,2}(?:方向)?约?\d+(?:米|M|公里|KM)"
    rf"|(?:(?:与|和)[{_CJK}0-9]{{2,12}}?)?(?:交叉口|交汇处|交界处)"
    rf"|(?<=[路街])口(?![{_CJK}])"
    rf"|[东南西北]侧(?![{_CJK}])"
    r"|(?<=[园区苑])内"
    rf"|旁(?=$|[\s,;:、/)\]】\d])")
_NO = re.compile(r"(?:NO|№)\.?\s*(?=\d)|(?<![0-9A-Z])#(?=\d)")
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9A-Z])\s*(?:[/\\,，、;.。~·]\s*|\s+)(?=\d)")
_PUNCT = re.compile(r"[\s,，、;；:：.。·•!！?？\"'“”‘’`~|_*+=^$%&@()\[\]{}<>【】〔〕〈〉《》「」『』…\\/]+")
_STRAY_DASH = re.compile(r"-(?![0-9A-Z])|(?<![0-9A-Z])-(?!\d{1,2}层)")
_COMMITTEE = (
    (re.compile(r"村?(村民委员会|村委会|村委)"), "村"),  # 蔡界村村委会 → 蔡界村
    (re.compile(r"社区(?:居民委员会|居委会|居委)"), "社区"),
    (re.compile(r"居民委员会"), "居委会"),
    (re.compile(r"街道办事处"), "街道"),
)
_MARK = r"(?:号|幢|单元|层|室|组|弄|巷)"
_ORDINAL = re.compile(rf"第(\d+)(?={_MARK})")
_ATTACHED = re.compile(r"(\d+)号?(?:之|附)(\d+)号?")
_BUILDING = re.compile(r"(?<![0-9A-Z])(\d{1,4}[A-Z]?|[A-Z]\d{0,3})(?:号楼|号幢|号栋|幢楼|栋楼|#楼|栋|座|#)")
_BUILDING_LETTER = re.compile(r"(?<![0-9A-Z])([A-Z]\d{0,3})楼")
_BASEMENT = re.compile(r"(?:负|地下|-)(\d{1,2})(?:层|楼)")
_FLOOR = re.compile(r"(?<![0-9A-Z-])(\d{1,3})(?:楼层|楼|F)(?![A-Z])")
_ROOM = re.compile(r"(?<![0-9A-Z])(\d{1,5}[A-Z]?)(?:号房|号室|房间|房|户)")
_ROOM_HAO = re.compile(r"(?:(?<=单元)|(?<=层))(\d{1,5}[A-Z]?)号|(?<=幢)(\d{3,5}[A-Z]?)号")
_GROUP = re.compile(r"(?<![0-9A-Z])(\d{1,3})(?:村民小组|村民组|小组)")
_DASH_GROUP = re.compile(r"(?<![0-9A-Z-])((?:\d{1,4}[A-Z]?|[A-Z]\d{0,3})(?:-\d{1,5}[A-Z]?)+)(号|室|单元|幢|层|组)?"
                         r"(?![0-9A-Z-])")
_NOT_MARKED = r"(?![0-9A-Z-]|号|幢|单元|层|室|组|弄|巷|#)"
_BARE_ROOM = re.compile(rf"(?:(?<=单元)|(?<=层))(\d{{1,5}}[A-Z]?){_NOT_MARKED}|(?<=[幢号])(\d{{3,5}}[A-Z]?){_NOT_MARKED}")
_DOOR_CONTEXT = "路街巷弄道里组村"
_BARE_DOOR = re.compile(rf"(?<=[{_DOOR_CONTEXT}])(\d{{1,5}}){_NOT_MARKED}")


class _Notes:
    def __init__(self, notes: list[str]):
        self.notes = notes

    def add(self, old: str, new: str) -> None:
        old, new = old.strip(), new.strip()
        # One note per fragment: 三栋→3栋 then 3栋→3幢 is reported as 三栋→3幢.
        if new:
            for i in range(len(self.notes) - 1, -1, -1):
                if self.notes[i].endswith("→" + old):
                    self.notes[i] = self.notes[i][:-len(old)] + new
                    return
        note = f"{old}→{new}" if new else f"删除 {old}"
        if note not in self.notes:
            self.notes.append(note)

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str,
            record: bool = True) -> str:
        def replace(m: re.Match[str]) -> str:
            new = repl(m) if callable(repl) else m.expand(repl)
            old = m.group(0)
            if record and new != old and old.strip():
                self.add(old.strip(), new)
            return new
        return pattern.sub(replace, text)


def _drop_phones(text: str, notes: _Notes) -> str:
    """Rule 3. Why: police and utility exports paste the contact (张三 13812345678) into the
    address field; digits of a phone would otherwise be read as door or room numbers."""
    spans: list[tuple[int, int]] = []
    for m in _PHONE.finditer(text):
        s, e = m.span()
        # A name written right before the number: the trailing CJK run after the last
        # address-like character (阳光花园张三 138… → 张三), 2–3 characters, no address characters.
        left = re.search(rf"([{_CJK}]+){_SEP}*$", text[:s])
        if left:
            run = left.group(1)
            cut = max((i for i, c in enumerate(run) if c in _ADDRESS_CHARS), default=-1)
            name = run[cut + 1:]
            if 2 <= len(name) <= 3:
                s = left.start(1) + cut + 1
        right = re.match(rf"{_SEP}*([{_CJK}]{{2,3}})(?=$|{_SEP}|[(\[])", text[e:])
        if right and not any(c in _ADDRESS_CHARS for c in right.group(1)):
            e += right.end(1)
        spans.append((s, e))
    for s, e in reversed(spans):
        notes.add(text[s:e].strip(), "")
        text = text[:s] + " " + text[e:]
    return text


def _unbracket(text: str, notes: _Notes) -> str:
    """Rule 4. Why: brackets hold either part of the address (英溪南路8号（阳光花园）) or notes
    about it (（原城关镇）, （附近）); the first is kept without the brackets, the second dropped
    because an old name next to the current one would be read as a second, conflicting place."""
    while True:
        m = _BRACKET.search(text)
        if not m:
            return text
        content = m.group(1).strip()
        bare = _PUNCT.sub("", content)
        if not bare or _BRACKET_NOISE.match(bare) or not _NOISE.sub("", bare):
            if bare:
                notes.add(m.group(0), "")
            text = text[:m.start()] + " " + text[m.end():]
        else:
            text = text[:m.start()] + " " + content + " " + text[m.end():]


def _protected_spans(text: str, protect: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for name in protect:
        if not name:
            continue
        start = text.find(name)
        while start >= 0:
            spans.append((start, start + len(name)))
            start = text.find(name, start + 1)
    return spans


def _numerals(text: str, notes: _Notes, protect: Iterable[str]) -> str:
    """Rule 8. Why only before markers: a numeral is a number when it counts doors, buildings,
    units, floors, rooms or groups; elsewhere it is part of a name (三里桥, 五龙, 千秋, 十字街)."""
    protected = _protected_spans(text, protect)
    out: list[str] = []
    pos = 0
    for m in _NUM_RUN.finditer(text):
        s, e = m.span()
        if any(ps < e and s < pe for ps, pe in protected):
            continue
        marker_m = _MARKER.match(text, e)
        marker = marker_m.group(0) if marker_m else ""
        after = text[e + len(marker):e + len(marker) + 1]
        prev = text[s - 1] if s else ""
        convert = False
        if marker:
            if marker == "号" and after in _NAME_AFTER_HAO:
                convert = False  # 二号桥: a name
            elif marker in ("组", "小组", "村民小组", "楼") and after in ("村", "路", "街", "桥"):
                convert = False  # 三组村, 八楼村: names
            elif marker in ("弄", "巷"):
                convert = prev in _ROAD_END  # 英溪南路十二弄 is lane 12; 三巷村 is a name
            elif marker == "队":
                convert = prev in ("村", "组")  # 蔡界村三队 is a production team
            else:
                convert = True
        elif prev == "之" and s >= 2 and (text[s - 2].isdigit() or text[s - 2] == "号"):
            convert = True  # 8号之一 (附号)
        elif text[max(0, s - 2):s] == "单元" or prev in ("幢", "栋", "层", "-"):
            # 2单元五〇二: a bare room number — at the end, or read digit by digit (3+ digits);
            # not 3幢三里桥… where a name follows.
            nxt = text[e:e + 1]
            positional = not any(c in _UNIT for c in m.group(0))
            convert = (not nxt or not (nxt.isdigit() or "\u4e00" <= nxt <= "\u9fff")
                       or (positional and e - s >= 3))
        if not convert:
            continue
        digits = _cn_to_digits(m.group(0))
        if digits is None:
            continue
        start = s - 1 if prev == "第" else s  # 第三组 → 3组
        out.append(text[pos:start])
        out.append(digits)
        if not marker and prev == "之":
            notes.add("之" + m.group(0), "之" + digits)
        else:
            notes.add(text[start:e] + marker, digits + marker)
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _dash_group(text: str, notes: _Notes) -> str:
    """Rule 10. Why by context: 8-1 after a road is the 附号 of door 8 (GB/T 35639), while the
    same shape after a compound or door is 楼栋-户室, and after 幢 it is 单元-户室."""
    def replace(m: re.Match[str]) -> str:
        parts = m.group(1).split("-")
        tail = m.group(2) or ""
        prev = text[m.start() - 1] if m.start() else ""
        n = len(parts)
        new = None
        if tail in ("幢", "层", "组") or (tail == "号" and n >= 2):
            new = None  # 8-1号 already canonical; 3-2幢 etc. left to the parser's leftovers
        elif prev and prev in _DOOR_CONTEXT:
            if parts[0].isdigit():
                if n == 2 and tail != "室":
                    new = f"{parts[0]}-{parts[1]}号" if tail == "" else None
                elif n == 2:
                    new = f"{parts[0]}号{parts[1]}室"
                elif n == 3 and tail in ("", "室"):
                    new = f"{parts[0]}号{parts[1]}幢{parts[2]}室"
                elif n == 4 and tail in ("", "室"):
                    new = f"{parts[0]}号{parts[1]}幢{parts[2]}单元{parts[3]}室"
        elif prev in ("幢", "栋"):
            if n == 2 and tail in ("", "室"):
                new = f"{parts[0]}单元{parts[1]}室"
        elif prev not in ("元", "层"):
            if n == 2 and tail == "单元":
                new = f"{parts[0]}幢{parts[1]}单元"
            elif n == 2 and tail in ("", "室"):
                new = f"{parts[0]}幢{parts[1]}室" if (tail == "室" or len(parts[1]) >= 3) else f"{parts[0]}幢{parts[1]}单元"
            elif n == 3 and tail in ("", "室"):
                new = f"{parts[0]}幢{parts[1]}单元{parts[2]}室"
        if new is None:
            return m.group(0)
        notes.add(m.group(0), new)
        return new
    return _DASH_GROUP.sub(replace, text)


def normalize_with_corrections(text: str, protect: Iterable[str] = ()) -> tuple[str, list[str]]:
    """Canonical text and the list of changes made.  `protect`: names (after folding) whose
    numerals must not be converted, e.g. the gazetteer's 三号路."""
    notes = _Notes([])
    text, folded = fold_with_corrections(text)
    notes.notes.extend(folded)
    # Why repeat: one rule can expose work for an earlier one (dropping a phone number glues
    # 路 and 口 together; 3-2 becomes 3幢2单元 and a numeral after it becomes a room number).
    # Running the rules to a fixed point is what makes normalize() idempotent.
    for _ in range(6):
        new = _rules(text, notes, protect)
        if new == text:
            break
        text = new
    return text, notes.notes


def _rules(text: str, notes: _Notes, protect: Iterable[str]) -> str:
    """Rules 2–11 once, on folded text."""
    # Rule 2. Why: form labels and the country name carry no address information.
    for _ in range(2):
        text = notes.sub(_LABEL, "", text)
        text = notes.sub(_COUNTRY, "", text)
    text = _drop_phones(text, notes)
    # Why: a name after 联系人/收件人, or 王先生, is a person, not a place.
    text = notes.sub(_PERSON_LABEL, " ", text)
    text = notes.sub(_HONORIFIC, " ", text)
    text = _unbracket(text, notes)
    # Rule 5. Why: 附近/对面/旁边… describe a position relative to the address, not the address.
    text = notes.sub(_NOISE, " ", text)

    # Rule 6. Why: No.8 and #8 are door 8; spaces between digits separate numbers (3 2 502) and
    # must not glue them into one; other whitespace and punctuation carry nothing.
    text = notes.sub(_NO, "", text)
    text = _BETWEEN_DIGITS.sub("-", text)
    text = _PUNCT.sub("", text)
    text = _STRAY_DASH.sub("", re.sub("-{2,}", "-", text))

    # Rule 7. Why: 村委会/居委会 is the committee of the 村/社区 and stands for it in addresses.
    for pattern, repl in _COMMITTEE:
        for m in pattern.finditer(text):
            notes.add(m.group(m.lastindex or 0), repl)
        text = pattern.sub(repl, text)

    text = _numerals(text, notes, protect)

    # Rule 9. Why: one spelling per component so the parser needs one pattern each.
    text = notes.sub(_ORDINAL, r"\1", text)  # 第3组 → 3组
    text = notes.sub(_ATTACHED, r"\1-\2号", text)  # 8号之1, 8附1号 → 8-1号 (附号)
    text = notes.sub(_BUILDING, r"\1幢", text)  # 3栋, 3号楼, 3#, A座 → 幢 (GB/T 35639 楼栋)
    text = notes.sub(_BUILDING_LETTER, r"\1幢", text)  # A楼 is building A (a floor is numbered)
    text = notes.sub(_BASEMENT, r"-\1层", text)  # 负1层, 地下1层 → -1层
    text = notes.sub(_FLOOR, r"\1层", text)  # 5楼, 5F → 5层 (in Chinese 五楼 is the 5th floor)
    text = notes.sub(_ROOM, r"\1室", text)  # 502户, 502房, 502号房 → 502室
    text = notes.sub(_ROOM_HAO, lambda m: (m.group(1) or m.group(2)) + "室", text)  # 2单元502号 → 502室
    text = notes.sub(_GROUP, r"\1组", text)  # 3村民小组, 3小组 → 3组
    text = _dash_group(text, notes)
    # Rule 11. Why: the marker is often left out where the position makes the number's role plain.
    text = notes.sub(_BARE_ROOM, lambda m: (m.group(1) or m.group(2)) + "室", text)
    text = notes.sub(_BARE_DOOR, r"\1号", text)
    return text


def normalize(text: str, protect: Iterable[str] = ()) -> str:
    """The canonical form of an address text (see the module docstring for the rules)."""
    return normalize_with_corrections(text, protect)[0]
