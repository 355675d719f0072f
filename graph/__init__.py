"""corisk knowledge-graph store, case base, networkx projection and recommender."""
