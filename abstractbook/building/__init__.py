"""building: the services of a build around the pure stages.

The rebuild cache and its authenticated store, the manifest and change report,
atomic files, the per-talk export and the preflight of
`check`. `pipeline` puts them together with the stages.
"""
