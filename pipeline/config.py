"""Configuration: the workbook contract, indicators, audit rules and defaults.

The YAML files under `pipeline/config/` are package data. A user file given
with `--config` is merged over `defaults.yaml` key by key. Everything is loaded
into frozen dataclasses and checked before any workbook is opened; an unknown
key or type is a `ConfigError` naming the file and key.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError
from pipeline.values import key_text

_BRACKETS = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_PERIOD_WORDS = re.compile(r"\d{4}年?(度|上半年|下半年|第?[一二三四1-4]季度|\d{1,2}(-\d{1,2})?月)?|[-_]")


def bare_sheet_name(key: str) -> str:
    """A normalised sheet name without period words, bracketed notes and a trailing 表."""
    return _PERIOD_WORDS.sub("", _BRACKETS.sub("", key)).removesuffix("表")


SCALAR_TYPES = {"text", "code", "name", "int", "money", "date", "day_or_month", "end_date", "month", "bool", "period"}


@dataclass(frozen=True)
class FieldSpec:
    """One column of a sheet: its canonical name, header aliases and type."""

    name: str
    headers: tuple[str, ...]
    type: str
    required: bool = False
    positive: bool = False
    default: Any = None
    template: bool = True  # shown in the blank template
    at_most: str | None = None  # another field of the row this one may not exceed
    at_least: str | None = None  # another field of the row this one may not fall below
    unless: str | None = None  # a required field may be empty when this other field is filled (姓名 / 慰问人数)

    @property
    def enum(self) -> str | None:
        """The enumeration this field takes its values from, if any."""
        return self.type.split(":", 1)[1] if self.type.startswith("enum:") else None


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the contract."""

    key: str
    title: str
    names: tuple[str, ...]
    fields: dict[str, FieldSpec]
    layout: str = "table"
    date_field: str | None = None
    required_sheet: bool = False
    into: str | None = None  # the kind whose table this kind's rows join (慰问记录 → 帮扶慰问)
    key_field: str | None = None  # the field that identifies a row across units (an enterprise's credit code)

    @property
    def table(self) -> str:
        """The table this kind's rows end up in."""
        return self.into or self.key

    def header_lookup(self) -> dict[str, str]:
        """Normalised header alias → field name (made once: recognition asks for it for every sheet)."""
        return self._lookup

    @cached_property
    def _lookup(self) -> dict[str, str]:
        return {key_text(h): f.name for f in self.fields.values() for h in f.headers}


@dataclass(frozen=True)
class EnumSpec:
    """An enumeration: canonical values and the aliases people write."""

    name: str
    values: tuple[str, ...]
    aliases: dict[str, str]
    open: bool = False
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 收入 / 支出 accounts

    def lookup(self, text: str) -> str | None:
        """The canonical value for `text`, or None.

        Exact value or alias first; then the text without a bracketed note
        (`技能培训（线上）`); then the one value the text contains, or the one
        value that contains the text (`大病` → 大病救助). Ambiguous text is None.
        """
        key = key_text(text)
        for candidate in (key, _BRACKETS.sub("", key)):
            if candidate in self.values:
                return candidate
            if candidate in self.aliases:
                return self.aliases[candidate]
        bare = _BRACKETS.sub("", key)
        if not bare:
            return None
        within = [v for v in self.values if v in bare]
        around = [v for v in self.values if bare in v]
        for matches in (within, around):
            if len(matches) == 1:
                return matches[0]
        return None

    def named_in(self, text: str) -> str | None:
        """The one value a longer text names by a value or an alias of two or more characters (a title), or None.

        >>> load_contract(package_yaml("contract.yaml")).enums["festival"].named_in("2024年春节慰问记录")
        '春节'
        """
        key = key_text(text)
        named = {v for v in self.values if len(v) >= 2 and v in key and v != "其他"}
        named |= {v for alias, v in self.aliases.items() if len(alias) >= 2 and alias in key}
        return named.pop() if len(named) == 1 else None


@dataclass(frozen=True)
class Contract:
    """The machine-readable workbook contract."""

    sheets: dict[str, SheetSpec]
    enums: dict[str, EnumSpec]
    total_markers: tuple[str, ...]
    standalone: dict[str, SheetSpec] = field(default_factory=dict)
    ignored_headers: frozenset[str] = frozenset()
    helper_sheets: frozenset[str] = frozenset()
    footer_markers: tuple[str, ...] = ()
    title_words: tuple[str, ...] = ()

    def kinds(self) -> list[SheetSpec]:
        """Every kind a sheet may be recognised as: the unit workbook's sheets, then the standalone ones."""
        return [*self.sheets.values(), *self.standalone.values()]

    @cached_property
    def header_weights(self) -> dict[str, float]:
        """How much a header says about a table's kind: 1 / the number of kinds whose vocabulary has it."""
        users: dict[str, set[str]] = {}
        for spec in self.kinds():
            for fspec in spec.fields.values():
                for header in fspec.headers:
                    users.setdefault(key_text(header), set()).add(spec.key)
        return {header: 1 / len(kinds) for header, kinds in users.items()}

    def kinds_named(self, sheet_name: str, specs: Iterable[SheetSpec] | None = None) -> list[SheetSpec]:
        """Every kind (of the unit workbook's, or of `specs`) a sheet name means, in order.

        Names match after normalisation and after dropping what people add
        around them: a year or period (`2024年活动台账`), a bracketed note
        (`活动台账（更新）`), `表`. Failing that, a name that contains an alias
        (of three characters or more) of exactly one kind matches that kind.
        """
        candidates = list(self.sheets.values() if specs is None else specs)
        key = key_text(sheet_name)
        bare = bare_sheet_name(key)
        exact = [
            s for s in candidates if key in {key_text(n) for n in s.names} or bare in {key_text(n) for n in s.names}
        ]
        if exact:
            return exact
        found = {
            spec.key: spec
            for spec in candidates
            for name in spec.names
            if len(key_text(name)) >= 3 and key_text(name) in key
        }
        return list(found.values()) if len(found) == 1 else []


def _read_yaml(path: Path | Any) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: YAML 格式错误（{where}{problem}）") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: 应为键值映射")
    return data


def package_yaml(name: str) -> dict[str, Any]:
    """One of the YAML files shipped under pipeline/config/."""
    return _read_yaml(resources.files("pipeline").joinpath("config", name))


def _field(sheet: str, name: str, raw: dict[str, Any], enums: dict[str, EnumSpec]) -> FieldSpec:
    unknown = set(raw) - {
        "headers",
        "type",
        "required",
        "positive",
        "default",
        "template",
        "at_most",
        "at_least",
        "unless",
    }
    if unknown:
        raise ConfigError(f"contract.yaml: sheets.{sheet}.{name}: 未知的键 {sorted(unknown)}")
    spec = FieldSpec(
        name=name,
        headers=tuple(raw["headers"]),
        type=raw["type"],
        required=bool(raw.get("required", False)),
        positive=bool(raw.get("positive", False)),
        default=raw.get("default"),
        template=bool(raw.get("template", True)),
        at_most=raw.get("at_most"),
        at_least=raw.get("at_least"),
        unless=raw.get("unless"),
    )
    if spec.enum is None and spec.type not in SCALAR_TYPES:
        raise ConfigError(f"contract.yaml: sheets.{sheet}.{name}: 未知类型 {spec.type}")
    if spec.enum is not None and spec.enum not in enums:
        raise ConfigError(f"contract.yaml: sheets.{sheet}.{name}: 未定义的枚举 {spec.enum}")
    return spec


def load_contract(raw: dict[str, Any]) -> Contract:
    """Build the contract from its YAML mapping."""
    enums = {name: _enum(name, e) for name, e in raw["enums"].items()}
    sheets = {key: _sheet(key, s, enums) for key, s in raw["sheets"].items()}
    standalone = {key: _sheet(key, s, enums) for key, s in (raw.get("standalone") or {}).items()}
    for spec in sheets.values():
        _check_into(spec, sheets)
    return Contract(
        sheets,
        enums,
        tuple(key_text(m) for m in raw["total_markers"]),
        standalone,
        frozenset(key_text(h) for h in raw.get("ignored_headers", [])),
        frozenset(key_text(h) for h in raw.get("helper_sheets", [])),
        tuple(key_text(m).rstrip(":：") for m in raw.get("footer_markers", [])),
        tuple(key_text(w) for w in raw.get("title_words", [])),
    )


def _enum(name: str, raw: dict[str, Any]) -> EnumSpec:
    groups = {group: tuple(values) for group, values in (raw.get("groups") or {}).items()}
    values = tuple(raw.get("values") or [v for members in groups.values() for v in members])
    aliases = {key_text(k): v for k, v in (raw.get("aliases") or {}).items()}
    return EnumSpec(name, values, aliases, bool(raw.get("open", False)), groups)


def _check_into(spec: SheetSpec, sheets: dict[str, SheetSpec]) -> None:
    """A kind read into another kind's table may only give fields that table has."""
    if spec.into is None:
        return
    target = sheets.get(spec.into)
    if target is None or target.into is not None:
        raise ConfigError(f"contract.yaml: sheets.{spec.key}.into: 没有可并入的表「{spec.into}」")
    from pipeline.kinds import converted_fields  # the kind's module may turn fields into others

    unknown = sorted(set(converted_fields(spec)) - set(target.fields))
    if unknown:
        raise ConfigError(f"contract.yaml: sheets.{spec.key}: 字段 {unknown} 在「{target.title}」中没有对应字段")


_SHEET_KEYS = {"title", "names", "fields", "layout", "date_field", "required_sheet", "into", "key_field"}


def _sheet(key: str, raw: dict[str, Any], enums: dict[str, EnumSpec]) -> SheetSpec:
    unknown = set(raw) - _SHEET_KEYS
    if unknown:
        raise ConfigError(f"contract.yaml: sheets.{key}: 未知的键 {sorted(unknown)}")
    fields = {n: _field(key, n, f, enums) for n, f in raw["fields"].items()}
    for option in ("date_field", "key_field"):
        if raw.get(option) is not None and raw[option] not in fields:
            raise ConfigError(f"contract.yaml: sheets.{key}.{option}: 没有字段「{raw[option]}」")
    return SheetSpec(
        key=key,
        title=raw["title"],
        names=tuple(raw["names"]),
        fields=fields,
        layout=raw.get("layout", "table"),
        date_field=raw.get("date_field"),
        required_sheet=bool(raw.get("required_sheet", False)),
        into=raw.get("into"),
        key_field=raw.get("key_field"),
    )


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` merged over `base`; nested mappings merge, other values replace."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know besides its inputs."""

    contract: Contract
    indicators: list[dict[str, Any]]
    audit_rules: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)

    def domain(self, key: str) -> Any:
        """A domain parameter (threshold, retained share…)."""
        return self.options["domain"][key]

    def decimal(self, section: str, key: str) -> Decimal:
        """A configured amount or share as an exact Decimal."""
        return Decimal(str(self.options[section][key]))


@cache
def _shipped() -> tuple[Contract, dict[str, Any], dict[str, Any], dict[str, Any]]:
    return (
        load_contract(package_yaml("contract.yaml")),
        package_yaml("defaults.yaml"),
        package_yaml("indicators.yaml"),
        package_yaml("audit_rules.yaml"),
    )


def load_settings(user_config: Path | None = None) -> Settings:
    """The shipped configuration, with the user's file merged over the defaults.

    A user file may also add or replace indicators (`indicators:` list, by code)
    and change audit rule parameters (`audit:` mapping).
    """
    contract, defaults, indicators, rules = _shipped()
    options = copy.deepcopy(defaults)
    indicator_list = copy.deepcopy(indicators["indicators"])
    if user_config is not None:
        if not user_config.is_file():
            raise ConfigError(f"找不到配置文件 {user_config}")
        user = _read_yaml(user_config)
        problems = unknown_keys({k: v for k, v in user.items() if k != "indicators"}, defaults)
        if problems:
            raise ConfigError("\n".join(f"{user_config}：{problem}" for problem in problems))
        indicator_list = _merge_indicators(indicator_list, user.pop("indicators", []) or [])
        options = deep_merge(options, user)
    check_options(options)
    check_audit(options["audit"], contract)
    codes = {d["code"] for d in indicator_list}
    for code in options.get("targets") or {}:
        if code not in codes:
            near = difflib.get_close_matches(str(code), sorted(codes), n=1, cutoff=0.5)
            hint = f"（是不是「{near[0]}」？）" if near else ""
            raise ConfigError(f"配置 targets：没有指标「{code}」{hint}")
    return Settings(contract, indicator_list, copy.deepcopy(rules["rules"]), options)


@cache
def cap_tables() -> dict[str, list[dict[str, Any]]]:
    """The dated cap tables shipped in caps.yaml, read once."""
    return package_yaml("caps.yaml")["tables"]


def caps_in_force(audit: dict[str, Any]) -> list[dict[str, Any]]:
    """The caps a run applies: the union's own `caps` list, else the selected dated table."""
    if audit.get("caps"):
        return list(audit["caps"])
    name = audit.get("caps_table", "默认")
    if name not in cap_tables():
        raise ConfigError(f"配置 audit.caps_table：没有「{name}」的标准表（可选：{'、'.join(cap_tables())}）")
    return list(cap_tables()[name])


# Sections whose keys are the user's to name (indicator codes), or lists checked elsewhere.
FREE_SECTIONS = {("targets",), ("audit", "caps")}


def unknown_keys(user: dict[str, Any], shipped: dict[str, Any], where: tuple[str, ...] = ()) -> list[str]:
    """Every key of a --config file the shipped defaults do not know, with the nearest known key suggested.

    >>> unknown_keys({"domian": {}}, {"domain": {}})
    ['配置文件中未知的键「domian」（是不是「domain」？）']
    """
    problems = []
    for key, value in user.items():
        path = (*where, str(key))
        if where in FREE_SECTIONS:
            continue
        if key not in shipped:
            near = difflib.get_close_matches(str(key), [str(k) for k in shipped], n=1, cutoff=0.5)
            hint = (
                f"（是不是「{'.'.join((*where, near[0]))}」？）"
                if near
                else f"（可用：{'、'.join(map(str, shipped))}）"
            )
            problems.append(f"配置文件中未知的键「{'.'.join(path)}」{hint}")
        elif isinstance(value, dict) and isinstance(shipped[key], dict):
            problems.extend(unknown_keys(value, shipped[key], path))
    return problems


def check_audit(audit: dict[str, Any], contract: Contract) -> None:
    """The audit rules' parameters: amounts and shares are numbers, categories and forms are the contract's."""
    problems = []
    for key in ("approval_threshold", "remittance_tolerance", "round_amount_share", "round_amount_unit"):
        try:
            Decimal(str(audit[key]))
        except (KeyError, ArithmeticError):
            problems.append(f"配置 audit.{key} 应为数字（现为 {audit.get(key)}）")
    if not str(audit.get("round_amount_min_entries", "")).isdigit():
        problems.append("配置 audit.round_amount_min_entries 应为整数")
    categories = set(contract.enums["assistance_category"].values)
    forms = set(contract.enums["payout_form"].values)
    listed = {
        "forbidden_forms.categories": (audit["forbidden_forms"].get("categories", []), categories),
        "forbidden_forms.forms": (audit["forbidden_forms"].get("forms", []), forms),
        "member_only": (audit.get("member_only", []), categories),
        "once_per_occasion": (audit.get("once_per_occasion", []), categories),
    }
    for key, (values, allowed) in listed.items():
        problems.extend(
            f"配置 audit.{key}：「{v}」不是帮扶慰问的类别或发放形式（可选：{'、'.join(sorted(allowed))}）"
            for v in values
            if v not in allowed
        )
    if problems:
        raise ConfigError("\n".join(problems))


def check_options(options: dict[str, Any]) -> None:
    """Refuse settings that would fail halfway through a run."""
    caps_in_force(options.get("audit", {}))
    deadline = options["domain"].get("submission_deadline")
    if deadline:
        try:
            date.fromisoformat(str(deadline))
        except ValueError as exc:
            raise ConfigError(f"配置 domain.submission_deadline 应为日期，如 2025-01-15（现为 {deadline}）") from exc
    for key in ("remittance_rate", "retained_share"):
        try:
            Decimal(str(options["domain"][key]))
        except (KeyError, ArithmeticError) as exc:
            raise ConfigError(f'配置 domain.{key} 应为数字（如 "0.60"）') from exc
    for key, value in (options.get("limits") or {}).items():
        try:
            if float(value) <= 0:
                raise ValueError
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"配置 limits.{key} 应为正数（现为 {value}）") from exc


def _merge_indicators(shipped: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_code = {d["code"]: d for d in shipped}
    for item in extra:
        if "code" not in item:
            raise ConfigError("配置文件 indicators: 每个指标都需要 code")
        by_code[item["code"]] = deep_merge(by_code.get(item["code"], {}), item)
    return list(by_code.values())
