"""The base of every model ai-config prints with ``--output json``."""

from pydantic import BaseModel, ConfigDict

__all__ = ["Result"]


class Result(BaseModel):
    """Built on first use: a command builds the few models it returns, not all of them
    (building a model's schema costs a millisecond or two, which start-up would pay for each).
    """

    model_config = ConfigDict(defer_build=True)
