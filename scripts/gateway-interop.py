#!/usr/bin/env python3
"""Interop check of `onesim-models serve` with real OpenAI clients nobody here wrote.

Runs the same checks with the official `openai` package and with LiteLLM as the client:
chat, streaming, tools, json_schema, embeddings (float and base64), and errors as
`openai.APIStatusError` subclasses with the right status. Usage:

    gateway-interop.py BASE_URL API_KEY

BASE_URL is the gateway's `http://127.0.0.1:PORT/v1`. Exits non-zero on the first failure.
"""
import base64
import json
import struct
import sys

import openai

BASE, KEY = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name} {detail}")


TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "weather of a city",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                          "required": ["city"]}}}]
SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": {
    "type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"], "additionalProperties": False}}}
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "say hello"}]


def openai_checks():
    client = openai.OpenAI(base_url=BASE, api_key=KEY, max_retries=0)
    r = client.chat.completions.create(model="lb", messages=MESSAGES, temperature=0.2, max_tokens=50)
    check("openai chat", r.object == "chat.completion" and isinstance(r.choices[0].message.content, str)
          and r.usage.total_tokens > 0, r)
    raw = client.chat.completions.with_raw_response.create(model="lb", messages=MESSAGES)
    check("openai headers", raw.headers.get("x-request-id") and raw.headers.get("x-onesim-member")
          and raw.headers.get("x-onesim-overhead-ms") is not None, dict(raw.headers))

    text, saw_usage = "", False
    for chunk in client.chat.completions.create(model="lb", messages=MESSAGES, stream=True,
                                                stream_options={"include_usage": True}):
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.usage is not None:
            saw_usage = chunk.usage.total_tokens > 0
    check("openai stream", len(text) > 0 and saw_usage, text)

    r = client.chat.completions.create(model="lb", messages=[{"role": "user", "content": "weather in Paris?"}],
                                       tools=TOOLS, tool_choice="required")
    calls = r.choices[0].message.tool_calls or []
    check("openai tools", len(calls) == 1 and calls[0].function.name == "get_weather"
          and isinstance(json.loads(calls[0].function.arguments), dict), r)
    followup = client.chat.completions.create(model="lb", messages=[
        {"role": "user", "content": "weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [c.model_dump() for c in calls]},
        {"role": "tool", "tool_call_id": calls[0].id if calls else "x", "content": "sunny"}], tools=TOOLS)
    check("openai tool result", followup.choices[0].message.content is not None, followup)

    r = client.chat.completions.create(model="lb", messages=MESSAGES, response_format=SCHEMA)
    check("openai json_schema", "answer" in json.loads(r.choices[0].message.content), r.choices[0].message.content)

    e = client.embeddings.create(model="embed", input=["one", "two"])
    check("openai embeddings float", len(e.data) == 2 and len(e.data[0].embedding) > 0, e)
    e64 = client.embeddings.create(model="embed", input="one", encoding_format="base64")
    vec = e64.data[0].embedding
    if isinstance(vec, str):
        vec = list(struct.unpack(f"<{len(base64.b64decode(vec)) // 4}f", base64.b64decode(vec)))
    check("openai embeddings base64", len(vec) == len(e.data[0].embedding)
          and all(abs(a - b) < 1e-6 for a, b in zip(vec, e.data[0].embedding)), vec)

    models = client.models.list()
    check("openai models", "lb" in [m.id for m in models.data], models)

    for name, call, exc, status in [
        ("not found", lambda: client.chat.completions.create(model="no-such-model", messages=MESSAGES),
         openai.NotFoundError, 404),
        ("bad request", lambda: client.chat.completions.create(model="lb", messages=MESSAGES, temperature=7),
         openai.BadRequestError, 400),
        ("wrong key", lambda: openai.OpenAI(base_url=BASE, api_key="sk-wrong", max_retries=0)
         .chat.completions.create(model="lb", messages=MESSAGES), openai.AuthenticationError, 401),
        ("forbidden model", lambda: openai.OpenAI(base_url=BASE, api_key="sk-interop-embed-only", max_retries=0)
         .chat.completions.create(model="lb", messages=MESSAGES), openai.PermissionDeniedError, 403),
    ]:
        try:
            call()
            check(f"openai error {name}", False, "no exception")
        except openai.APIStatusError as error:
            check(f"openai error {name}", isinstance(error, exc) and error.status_code == status,
                  f"{type(error).__name__} {error.status_code}")


def litellm_checks():
    import litellm
    model = "openai/lb"
    r = litellm.completion(model=model, api_base=BASE, api_key=KEY, messages=MESSAGES, max_tokens=50)
    check("litellm chat", isinstance(r.choices[0].message.content, str) and r.usage.total_tokens > 0, r)
    text = ""
    for chunk in litellm.completion(model=model, api_base=BASE, api_key=KEY, messages=MESSAGES, stream=True):
        text += chunk.choices[0].delta.content or ""
    check("litellm stream", len(text) > 0, text)
    r = litellm.completion(model=model, api_base=BASE, api_key=KEY,
                           messages=[{"role": "user", "content": "weather?"}], tools=TOOLS, tool_choice="required")
    calls = r.choices[0].message.tool_calls or []
    check("litellm tools", len(calls) == 1 and calls[0].function.name == "get_weather", r)
    r = litellm.completion(model=model, api_base=BASE, api_key=KEY, messages=MESSAGES, response_format=SCHEMA)
    check("litellm json_schema", "answer" in json.loads(r.choices[0].message.content), r)
    e = litellm.embedding(model="openai/embed", api_base=BASE, api_key=KEY, input=["one", "two"])
    check("litellm embeddings", len(e.data) == 2 and len(e.data[0]["embedding"]) > 0, e)
    e64 = litellm.embedding(model="openai/embed", api_base=BASE, api_key=KEY, input=["one"], encoding_format="base64")
    check("litellm embeddings base64", len(e64.data) == 1, e64)
    try:
        litellm.completion(model="openai/no-such-model", api_base=BASE, api_key=KEY, messages=MESSAGES, num_retries=0)
        check("litellm error not found", False, "no exception")
    except litellm.exceptions.NotFoundError as error:
        check("litellm error not found", error.status_code == 404, error)
    except Exception as error:  # noqa: BLE001 - report what LiteLLM raised instead
        check("litellm error not found", False, f"{type(error).__name__}: {error}")
    try:
        litellm.completion(model=model, api_base=BASE, api_key="sk-wrong", messages=MESSAGES, num_retries=0)
        check("litellm error wrong key", False, "no exception")
    except litellm.exceptions.AuthenticationError as error:
        check("litellm error wrong key", error.status_code == 401, error)
    except Exception as error:  # noqa: BLE001
        check("litellm error wrong key", False, f"{type(error).__name__}: {error}")


def main():
    for name, checks in [("openai", openai_checks), ("litellm", litellm_checks)]:
        try:
            checks()
        except Exception as error:  # noqa: BLE001 - a crash is a failure of that client's checks
            check(f"{name} checks ran", False, f"{type(error).__name__}: {error}")
    print(f"interop: {results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
