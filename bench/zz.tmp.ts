const x: number = "s";
