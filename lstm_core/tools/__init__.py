"""Tools on top of the engine and the experiments: the command line, prewarm and exports."""
