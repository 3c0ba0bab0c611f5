"""Record kinds, ids, dates, money and validation rules: pure Python, no IO."""
