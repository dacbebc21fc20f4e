% rebase('layout')
<h1>Change password</h1>
% include('_errors', fields=('current_password', 'new_password'), labels={'current_password': 'Current password', 'new_password': 'New password'})
<form id="password-form" method="post" action="/account/password" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
% include('_field', name='current_password', label='Current password', type='password', autocomplete='current-password', required=True)
% include('_field', name='new_password', label='New password', type='password', autocomplete='new-password', required=True, hint='At least 10 characters. You will stay logged in here; other devices are logged out.')
  <button type="submit" class="button primary">Change password</button>
</form>
