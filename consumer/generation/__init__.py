"""Text from a product: the model engine, its decoding constraints, the guards and the one model thread (shared with the trainer)."""
