"""The trainers' page: two firms, the same customers, two ways of handling complaints.

``pair`` steps two models together; ``controls`` and ``scenarios`` say what a
room can set; ``numbers`` and ``pictures`` show the firms; ``app`` puts them on
a Solara page, one pair of firms per browser (``recovery-sim-demo`` serves it,
``browser`` drives it in chromium, ``netguard`` serves it with the network cut).
"""
