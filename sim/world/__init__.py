"""The world a run happens in: its configuration, the people, their network and the random numbers.

Imports nothing else of ``sim``: every layer above stands on it.
"""
