"""`GenerationReport`: what one run of the demo generator did (counts by level, kind, stage and
plate state, deletions, change-history rows, timings), and its lines for the management command."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

_ACTIONS = {"I": "新增", "D": "删除", "U": "修改"}


@dataclass
class GenerationReport:
    county: str
    seed: int
    count: int
    skipped: bool = False
    message: str = ""
    roads: int = 0
    compounds: int = 0
    groups: int = 0
    by_level: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)  # road / gate / room / rural
    by_stage: Counter = field(default_factory=Counter)
    plates: Counter = field(default_factory=Counter)
    deleted: dict = field(default_factory=dict)
    change_records: int = 0
    change_actions: dict = field(default_factory=dict)  # I/D → rows written by the history triggers
    timings: dict = field(default_factory=dict)
    copy_tables: dict = field(default_factory=dict)  # seconds per table inside the COPY phase
    delete_tables: dict = field(default_factory=dict)  # seconds per DELETE of a previous generation

    @property
    def addresses(self) -> int:
        return sum(self.by_level.values())

    def lines(self) -> list[str]:
        if self.skipped:
            return [self.message]
        t = self.timings
        out = []
        if self.deleted:
            out.append("删除先前生成的数据：" + "，".join(f"{k} {v}" for k, v in self.deleted.items())
                       + f"（{t.get('delete', 0):.1f} s：" + "，".join(
                           f"{k} {v:.1f} s" for k, v in self.delete_tables.items()) + "）")
        out += [
            f"地址 {self.addresses}（按层级：" + "，".join(f"{k} {v}" for k, v in sorted(self.by_level.items()))
            + "；按来源：" + "，".join(f"{k} {v}" for k, v in sorted(self.by_kind.items()))
            + "；按生命周期：" + "，".join(f"{k} {v}" for k, v in sorted(self.by_stage.items())) + "）",
            f"街路巷 {self.roads}，小区 {self.compounds}，村民小组 {self.groups}",
            "门牌 " + str(sum(self.plates.values())) + "（" + "，".join(
                f"{k} {v}" for k, v in sorted(self.plates.items())) + "）",
            f"变更记录（触发器写入 common_changerecord）{self.change_records} 行（"
            + "，".join(f"{_ACTIONS.get(k, k)} {v}" for k, v in sorted(
                self.change_actions.items(), reverse=True)) + "）",
            f"耗时 {t.get('total', 0):.1f} s：规划 {t.get('plan', 0):.1f} s（其中 Annex B 编号 {t.get('numbering', 0):.1f} s），"
            f"COPY 写入 {t.get('copy', 0):.1f} s，校验 {t.get('check', 0):.1f} s，提交（延迟外键检查）{t.get('commit', 0):.1f} s",
        ]
        if self.copy_tables:
            out.append("COPY 分表（含触发器与索引）：" + "，".join(
                f"{k.removeprefix('addresses_')} {v:.1f} s" for k, v in self.copy_tables.items()))
        return out
