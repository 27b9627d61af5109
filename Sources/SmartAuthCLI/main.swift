print("smart-auth")
