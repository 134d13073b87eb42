"""Model lifecycle: base-model preparation, which adapter to load, the version store, the hot-swap watcher, embeddings."""
