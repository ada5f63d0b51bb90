"""Studies: many runs, compared with paired statistics, and the tables, figures and report they answer with.

Built on the model and its result; the model never imports a study.
"""
