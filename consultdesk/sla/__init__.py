"""Service levels: pure business-time maths (``businesstime``) and calendar seed data."""
