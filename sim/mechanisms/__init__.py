"""The model's mechanisms, one module per rule of the brief.

Buying, failing, complaining, recovery, grievance, churn, word of mouth,
joining, the books. Each imports only the world and other mechanisms.
"""
