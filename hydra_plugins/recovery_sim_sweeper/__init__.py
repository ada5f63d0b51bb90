"""recovery-sim's Hydra sweeper: Hydra's basic sweeper that launches only the cells with runs left."""
