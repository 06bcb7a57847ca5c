"""What exists only for 0.2.1's users and for paths that earlier releases published.

- :mod:`.legacy` runs a 0.2.1 messenger (``send(template, users, trigger_context, signal_kwargs)``);
- :mod:`.paths` keeps the module paths of 1.0.0a1 importable (task paths already queued,
  settings and URLconfs that name them) for one release.
"""
