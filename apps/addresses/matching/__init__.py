"""Matching messy address text against the standard-address register.

Text understanding — pure modules (no Django import, so they unit-test in milliseconds):

* `normalize` — canonical text: full-width → half-width, traditional → simplified, 幢/单元/室/层/组
  variants, Chinese numerals → digits where they are numbers, noise removed;
* `gazetteer` — the names the parser looks for (divisions, roads, areas, aliases) in a trie;
* `parse` — `parse(text, gazetteer)` → `ParsedAddress`, and `parse_components_only(text)`.
"""
