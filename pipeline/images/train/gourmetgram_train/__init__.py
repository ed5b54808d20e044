"""GourmetGram training entry point: build a scenario's model, evaluate it with pytest, and
register it in MLflow when every evaluation test passed. Run it as `python -m gourmetgram_train`."""
