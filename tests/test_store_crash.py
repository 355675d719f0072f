"""A kill -9 in the middle of imports leaves a store that opens and holds each batch whole or not at all."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from rdflib import URIRef

from graph.store import GRAPH_BASE, open_store

BATCH = 20000

WRITER = f"""
import sys
from rdflib import Literal, URIRef
from graph.store import Batch, GRAPH_BASE, open_store

store = open_store(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    g = URIRef(GRAPH_BASE + f"project/crash-{{i}}")
    triples = [(URIRef(f"https://w3id.org/corisk/id/n{{i}}-{{k}}"), URIRef("https://w3id.org/corisk/ontology#value"),
                Literal(k)) for k in range({BATCH})]
    batch = Batch(validate=False)
    if i % 2:
        batch.replace(g, triples)   # the SPARQL UPDATE path
    else:
        batch.add(g, triples)       # the transactional extend path
    store.write(batch)
    print("wrote", i, flush=True)
    i += 1
"""


def test_a_kill_during_imports_leaves_each_batch_all_in_or_not_at_all(tmp_path):
    path = tmp_path / "store"
    env = dict(os.environ, PYTHONPATH=str(os.getcwd()))
    for delay in (0.3, 1.1, 2.3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = open_store(path)
        try:
            counts = {str(g): store.count(g) for g in store.named_graphs()}
            assert all(n == BATCH for n in counts.values()), counts
            assert all(g.startswith(GRAPH_BASE + "project/crash-") for g in counts)
        finally:
            store.close()
    # and once more after a batch is known to be in: it stays in
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "ready"
    assert proc.stdout.readline().strip() == "wrote 0"
    time.sleep(0.4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = open_store(path)
    try:
        assert store.count(URIRef(GRAPH_BASE + "project/crash-0")) == BATCH
        assert all(store.count(g) == BATCH for g in store.named_graphs())
    finally:
        store.close()
