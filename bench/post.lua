-- post.lua: wrk script for POST create of a TMF620 category with an API key (BSS_KEY).
-- Every request creates one category; the answer (201) comes after the durable commit.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BSS_KEY")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"bench category","description":"created by bench/post.lua","@type":"Category"}'
