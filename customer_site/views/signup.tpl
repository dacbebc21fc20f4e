% rebase('layout')
<h1>Create an account</h1>
<p>With an account you can book appointments, follow your repair and download your invoices.</p>
% include('_errors', fields=('name', 'email', 'phone', 'password'), labels={'name': 'Name', 'email': 'E-mail', 'phone': 'Phone', 'password': 'Password'})
<form id="signup-form" method="post" action="/signup" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <input type="hidden" name="next" value="{{next}}">
% include('_field', name='name', label='Name', autocomplete='name', required=True)
% include('_field', name='email', label='E-mail', type='email', autocomplete='email', required=True)
% include('_field', name='phone', label='Phone', type='tel', autocomplete='tel', required=True)
% include('_field', name='password', label='Password', type='password', autocomplete='new-password', required=True, hint='At least 10 characters.')
  <button type="submit" class="button primary">Create account</button>
</form>
<p>Already have an account? <a href="{{with_next('/login', next)}}">Log in</a>.</p>
