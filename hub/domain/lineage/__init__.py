"""Remix lineage: which records a record was made from (its sources), the records made from
it (its remixes), walks over that directed acyclic graph, credit to every contributing
member, and a picture of it (``GET /records/{id}/lineage.svg``)."""
