"""Open-data delivery: file renderings, the data API engine, DCAT-AP 3 and datapackage.json.

Everything here works on *released* artifacts only (``catalog.releases.ArtifactRef``); callers
resolve the artifact for the caller's audience first and pass it in.  Never imports Flask.
"""
