"""Function tools the console offers the model: the registry and its handlers
(`registry`), the demo tools (`demos`) and tool-definition checks (`schema`)."""
