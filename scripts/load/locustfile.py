"""What a manager does, over and over: the categories screen, a category's entries, the
overview. Each simulated user signs in once; LOAD_HOSTS spreads users over app servers."""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, between, task

HOSTS = itertools.cycle(os.environ.get("LOAD_HOSTS", "").split(",") or [""])
CATEGORIES = ("1209000000000001", "1209000000000002", "1209000000000003")


class Manager(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.host = next(HOSTS) or self.host
        self.client.base_url = self.host
        page = self.client.get("/accounts/login/", name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/accounts/login/",
            data={
                "username": os.environ.get("LOAD_USERNAME", "load"),
                "password": os.environ.get("LOAD_PASSWORD", ""),
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
        )

    @task(3)
    def categories(self) -> None:
        self.client.get("/", name="categories")

    @task(3)
    def entries(self) -> None:
        gid = CATEGORIES[int(self.environment.runner.user_count) % len(CATEGORIES)]
        self.client.get(f"/categories/{gid}/entries/?range=last-30-days", name="entries")

    @task(1)
    def overview(self) -> None:
        self.client.get("/overview/?range=this-quarter&full=1", name="overview")
