"""The sample office run through the whole SOP (`demo`) and generated offices (`offices`)."""
