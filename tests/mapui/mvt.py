"""A small, independent Mapbox Vector Tile (protobuf) decoder for the tests, written from the MVT
2.1 specification: tiles → layers → features with their tag-encoded attributes and their geometry
commands (MoveTo, LineTo, ClosePath; zig-zag encoded deltas). Nothing from PostGIS is reused."""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, Any]]:
    """(field number, value) pairs of one message: ints for varints, bytes for length-delimited."""
    out, pos = [], 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        out.append((number, value))
    return out


def _packed(buf: bytes) -> list[int]:
    values, pos = [], 0
    while pos < len(buf):
        value, pos = _varint(buf, pos)
        values.append(value)
    return values


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _value(buf: bytes) -> Any:
    number, raw = _fields(buf)[0]
    if number == 1:
        return raw.decode("utf-8")
    if number == 2:
        return struct.unpack("<f", raw)[0]
    if number == 3:
        return struct.unpack("<d", raw)[0]
    if number == 6:
        return _zigzag(raw)
    if number == 7:
        return bool(raw)
    return raw if raw < 2 ** 63 else raw - 2 ** 64  # int64 / uint64


def _geometry(commands: list[int]) -> list[list[tuple[int, int]]]:
    """Parts (point groups, lines or rings) in tile coordinates."""
    parts: list[list[tuple[int, int]]] = []
    x = y = i = 0
    while i < len(commands):
        command, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if command == 7:  # ClosePath
            parts[-1].append(parts[-1][0])
            continue
        for _ in range(count):
            x += _zigzag(commands[i])
            y += _zigzag(commands[i + 1])
            i += 2
            if command == 1:
                parts.append([(x, y)])
            else:
                parts[-1].append((x, y))
    return parts


@dataclass
class Feature:
    id: int | None
    type: int  # 1 point, 2 line, 3 polygon
    properties: dict[str, Any]
    parts: list[list[tuple[int, int]]]


@dataclass
class Layer:
    name: str
    extent: int
    features: list[Feature] = field(default_factory=list)


def decode(tile: bytes) -> dict[str, Layer]:
    layers = {}
    for number, raw in _fields(tile):
        if number != 3:
            continue
        parts = _fields(raw)
        name = next(v for n, v in parts if n == 1).decode("utf-8")
        keys = [v.decode("utf-8") for n, v in parts if n == 3]
        values = [_value(v) for n, v in parts if n == 4]
        extent = next((v for n, v in parts if n == 5), 4096)
        layer = Layer(name, extent)
        for n, fraw in parts:
            if n != 2:
                continue
            f = _fields(fraw)
            tags = next((_packed(v) for k, v in f if k == 2), [])
            layer.features.append(Feature(
                id=next((v for k, v in f if k == 1), None), type=next((v for k, v in f if k == 3), 0),
                properties={keys[tags[j]]: values[tags[j + 1]] for j in range(0, len(tags), 2)},
                parts=_geometry(next((_packed(v) for k, v in f if k == 4), []))))
        layers[name] = layer
    return layers
