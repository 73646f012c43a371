"""形式审查 (formal check): the ministry passes a recommended case to the expert review or
fails it with reasons."""
