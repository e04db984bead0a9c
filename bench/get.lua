-- get.lua: wrk script for GET of a stored resource with an API key.
-- The key comes from the environment (BSS_KEY); the URL (with the id) from the command line.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BSS_KEY")
wrk.headers["Accept"] = "application/json"
