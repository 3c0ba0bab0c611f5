#!/usr/bin/env bash
# Migrate the Northwind sample database (CSV files) into a new crm data directory.
#
#   examples/northwind/import.sh DATA_DIR [NORTHWIND_DIR]
#
# NORTHWIND_DIR defaults to ../shared/datasets/northwind, taken from the current folder
# (the project's root, as the README runs it). Set CRM to run another crm than the one
# on PATH. Every step is a plain crm command you can run by hand.
set -euo pipefail

usage="usage: $0 DATA_DIR [NORTHWIND_DIR]"
data="${1:?$usage}"
northwind="${2:-../shared/datasets/northwind}"
mappings="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
crm="${CRM:-crm}"

for table in customers suppliers products orders order_details; do
    if [ ! -f "$northwind/$table.csv" ]; then
        echo "$0: $northwind/$table.csv not found: give the folder of the Northwind CSV files as NORTHWIND_DIR" >&2
        exit 1
    fi
done
if [ -e "$data/crm.yaml" ]; then
    echo "$0: $data is a crm data directory already: the migration wants a new one" >&2
    exit 1
fi

"$crm" init "$data" --name "Northwind Traders" --currency USD --me fuller --timezone America/Los_Angeles
export CRM_DIR="$data"
"$crm" import csv "$northwind/suppliers.csv" --kind supplier --map "$mappings/suppliers.yaml"
"$crm" import csv "$northwind/customers.csv" --kind customer --map "$mappings/customers.yaml"
"$crm" import csv "$northwind/products.csv" --kind product --map "$mappings/products.yaml"
"$crm" import csv "$northwind/orders.csv" --kind order --map "$mappings/orders.yaml" \
    --lines "$northwind/order_details.csv" --join orderID
"$crm" check
