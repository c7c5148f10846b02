set -e
run() { python benchmarks/anomaly.py --half A --skip-large --methods cand --csv benchmarks/study/runs.csv --candidate "$1" --params "$2" > "benchmarks/study/A_$3.md" 2> "benchmarks/study/A_$3.log"; }
run '{"space": "input"}' '{}' K4_inputknn
run '{"kind": "dae"}' '{}' K5_dae_knn
