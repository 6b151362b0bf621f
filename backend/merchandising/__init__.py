"""Merchandising: collections of products the merchant curates by hand or by rules
(docs/adr/0010-collections.md). It reads the catalog and writes only its own tables."""
