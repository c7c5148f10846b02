# Candidates on half A (small tables), our scorer only; baselines come from A_baselines.
set -e
run() { python benchmarks/anomaly.py --half A --skip-large --methods cand --csv benchmarks/study/runs.csv --candidate "$1" --params "$2" > "benchmarks/study/A_$3.md" 2> "benchmarks/study/A_$3.log"; }
run '{}' '{}' K1_knn
run '{}' '{"early_stopping": true}' K3_knn_es
