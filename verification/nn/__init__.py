"""Real ``nn.Module`` models: the traced graph, the symmetry patterns behind :func:`~.laws.find_laws`, the
numerical count of a module's laws, training-time monitors and the Neural Mechanics experiments."""
