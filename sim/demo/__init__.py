"""The trainers' page: two firms, the same customers, two ways of handling complaints.

``pair`` steps two models together, ``pictures`` draws them and ``app`` puts
both on a SolaraViz page (``recovery-sim-demo`` serves it).
"""
