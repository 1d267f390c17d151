"""Where in an environment's state bucket the states that are not the environment's own live: one prefix
for every preview, one for every sandbox (records and states). The environment's own are under ``<env>/``."""

PREVIEWS_STATE_PREFIX = "previews"
SANDBOXES_STATE_PREFIX = "sandboxes"
