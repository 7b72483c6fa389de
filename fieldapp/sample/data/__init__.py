"""The sample's data lists: Łódź places, kinds and weights, organisations' names, what people say.

Kept apart from the generator (``fieldapp.sample``) and kept stable: tests assert on the zones and
streets, and the UI tests' fast path (``tests/e2e/sample.py``) builds contacts from these lists.
"""
