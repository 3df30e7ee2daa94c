#!/usr/bin/env node
import { main } from '../dist/namerd/main.js'

await main(process.argv.slice(2))
