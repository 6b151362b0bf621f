"""How the local tooling talks to the person who started it."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)
