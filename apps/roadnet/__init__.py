"""路网: the routable road network of a county (noded edges built from the current roads) and
distances along it from facilities to demand points, computed with pgRouting."""
