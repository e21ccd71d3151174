"""`peragus start`: the notebook server (HTTP for notebooks, one WebSocket for sessions)."""
