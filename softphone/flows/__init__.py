"""VoIPBIN flows run locally: the action runner, one module per action family (media,
digits, control, amd). May import the model and a narrow engine facade (the call's media
graph, end-with-cause), never pjsua2, Qt or the store (DESIGN.md, pyproject's contracts)."""
